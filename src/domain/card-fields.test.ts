import { describe, expect, it } from "vitest";
import { encodeSubject, subjectAltNameFor } from "../pki/certificate-profiles.js";
import { printableText } from "../production/printable-text.js";
import { cardFieldProblems, isPrintableOnCard, printedNameOf, unprintableCharacters } from "./card-fields.js";

const anna = { firstName: "Anna", lastName: "Smith" };
const paths = (user: Parameters<typeof cardFieldProblems>[0]) => cardFieldProblems(user).map((p) => p.path);

/** Issue 13, finding 2: a name that passed registration failed the card in the batch. */
describe("what a card can be made from", () => {
  it("takes an ordinary person, accented Latin letters and WinAnsi's extra letters", () => {
    expect(cardFieldProblems(anna)).toEqual([]);
    expect(
      cardFieldProblems({
        firstName: "Zoë Ærøskøbing",
        // Š, Ž, Œ are WinAnsi's own (0x8A, 0x8E, 0x8C); "é" typed as e + U+0301 prints as é.
        lastName: "Šimůnek".replace("ů", "u") + " Žœ Le\u0301a",
        title: "Head of R&D — €",
        organization: "Café Müller",
        organizationalUnit: "Øresund",
        upn: "anna@corp.example",
        email: "anna.smith+id@corp.example",
        address: ["12 Rue de l'Église", "75001 Paris"],
      }),
    ).toEqual([]);
  });

  it("refuses a full name longer than a certificate's common name, and points to the name on card", () => {
    const long = { firstName: "A".repeat(50), lastName: "B".repeat(50) };
    const [problem] = cardFieldProblems(long);
    expect(problem?.path).toBe("nameOnCard");
    expect(problem?.message).toContain("101 characters");
    expect(problem?.message).toContain("at most 64");
    // 64 characters in all is the most: "first last" with its space.
    expect(cardFieldProblems({ firstName: "A".repeat(31), lastName: "B".repeat(32) })).toEqual([]);
    expect(paths({ firstName: "A".repeat(32), lastName: "B".repeat(32) })).toEqual(["nameOnCard"]);
    // A name on card mends it; one too long itself does not.
    expect(cardFieldProblems({ ...long, nameOnCard: "A. Bbbbb" })).toEqual([]);
    const tooLong = cardFieldProblems({ ...long, nameOnCard: "C".repeat(65) });
    expect(tooLong).toEqual([
      { path: "nameOnCard", message: "the name on card is 65 characters long; a card holds at most 64" },
    ]);
  });

  it("names the field whose letters the card cannot print, and which letters", () => {
    expect(cardFieldProblems({ firstName: "Ivan", lastName: "Петров" })).toEqual([
      {
        path: "lastName",
        message:
          "the last name holds characters the card cannot print (П е т р о в); give a name on card in Latin letters, as it should be printed",
      },
    ]);
    // Given a name on card, the legal name need not be printable: it is not printed.
    expect(cardFieldProblems({ firstName: "Ivan", lastName: "Петров", nameOnCard: "Ivan Petrov" })).toEqual(
      [],
    );
    expect(paths({ firstName: "Ivan", lastName: "Petrov", nameOnCard: "Иван" })).toEqual(["nameOnCard"]);
    // Invisible characters are named by their code.
    expect(cardFieldProblems({ firstName: "Anna\tMaria", lastName: "Smith" })[0]?.message).toContain(
      "(U+0009)",
    );
    expect(paths({ ...anna, title: "★ Lead" })).toEqual(["title"]);
    expect(paths({ ...anna, organization: "株式会社" })).toEqual(["organization"]);
    expect(paths({ ...anna, organizationalUnit: "Ωmega" })).toEqual(["organizationalUnit"]);
    expect(paths({ ...anna, address: ["1 Main St", "Αθήνα"] })).toEqual(["address.1"]);
  });

  it("refuses what a certificate's subjectAltName cannot hold", () => {
    expect(paths({ ...anna, upn: "anna\u0001@corp.example" })).toEqual(["upn"]);
    expect(paths({ ...anna, email: "anna@corp-.example" })).toEqual(["email"]);
  });

  it("splits a name on card at its last space, for a face that needs two lines", () => {
    expect(printedNameOf(anna)).toEqual(anna);
    expect(printedNameOf({ ...anna, nameOnCard: "Anna M. van Smith" })).toEqual({
      firstName: "Anna M. van",
      lastName: "Smith",
    });
    expect(printedNameOf({ ...anna, nameOnCard: "Cher" })).toEqual({ firstName: "", lastName: "Cher" });
  });
});

/** The judges are the parts that print and certify: what is accepted here, they take. */
describe("the rules agree with the card face and the certificate issuer", () => {
  it("knows the characters of WinAnsiEncoding (PDF 32000-1 Annex D.2), and no others", () => {
    // Printable ASCII, Latin-1 from NBSP, and the 27 at 0x80–0x9F such as € Š Œ Ÿ “ ” – —.
    for (const character of [
      "A",
      "z",
      " ",
      "~",
      "\u00a0",
      "é",
      "ÿ",
      "€",
      "Š",
      "ž",
      "Œ",
      "Ÿ",
      "“",
      "”",
      "–",
      "—",
      "™",
    ])
      expect(isPrintableOnCard(character.codePointAt(0)!), character).toBe(true);
    // Control characters, DEL, the C1 range, and letters outside Latin-1.
    for (const codePoint of [0x09, 0x0a, 0x1f, 0x7f, 0x80, 0x81, 0x9f, 0x0100, 0x041f, 0x3042, 0x2028])
      expect(isPrintableOnCard(codePoint), codePoint.toString(16)).toBe(false);
  });

  it.each([
    ["Zoë", "Le\u0301a"],
    ["A".repeat(31), "B".repeat(32)],
    ["Anna", "Петров"],
    ["A".repeat(40), "B".repeat(40)],
    ["Anna\tMaria", "Smith"],
  ])("accepts %s %s exactly when the face prints it and the issuer certifies it", (firstName, lastName) => {
    const accepted = cardFieldProblems({ firstName, lastName }).length === 0;
    const judged = () => {
      printableText(firstName, "first name");
      printableText(lastName, "last name");
      encodeSubject({ commonName: `${firstName} ${lastName}`.trim(), serialNumber: "X-1" });
    };
    if (accepted) expect(judged).not.toThrow();
    else expect(judged).toThrow();
  });

  it("accepts only e-mail addresses and UPNs the issuer writes", () => {
    for (const email of ["a@b.example", "a.b+c@d-e.example"]) {
      expect(cardFieldProblems({ ...anna, email })).toEqual([]);
      expect(() => subjectAltNameFor({ commonName: "A", serialNumber: "1", email })).not.toThrow();
    }
    for (const email of ["a@b-.example", "a@-b.example"]) {
      expect(paths({ ...anna, email })).toEqual(["email"]);
      expect(() => subjectAltNameFor({ commonName: "A", serialNumber: "1", email })).toThrow();
    }
    const upn = "a\u0007@b.example";
    expect(paths({ ...anna, upn })).toEqual(["upn"]);
    expect(() => subjectAltNameFor({ commonName: "A", serialNumber: "1", upn })).toThrow();
  });

  it("names unprintable characters once each", () => {
    expect(unprintableCharacters("ЖЖx\u0000")).toEqual(["Ж", "U+0000"]);
  });
});
