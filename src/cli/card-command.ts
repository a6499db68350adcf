import type { CardTemplate } from "../domain/card-template.js";
import { loadPkcs11Module } from "../pkcs11/pkcs11-module.js";
import { createReaderSlots } from "../production/reader-slots.js";
import {
  type CardChip,
  type CardName,
  changePinOnChip,
  changePukOnChip,
  checkNewPin,
  unblockPinOnChip,
} from "../services/card-pin.js";
import { usageError } from "./args.js";

type Flags = Map<string, string | boolean>;

/** What the command reads of a card from the API. */
interface ListedCard extends CardName {
  readonly state: string;
  readonly template: string;
  readonly tokenSerial: string | null;
}

/** What the server answers a desk for one card's unblock (POST /api/v1/cards/{id}/puk). */
interface DisclosedPuk {
  readonly tokenSerial: string;
  readonly puk: string;
  readonly nextPuk: string;
  readonly pukCandidates: readonly string[];
  readonly pukPrinted: boolean;
}

/** Where the PINs come from when the environment does not hold them. */
export const cardCommandUsage = `  card unblock --card NUMBER --url URL --module PATH
                                      for a helpdesk desk with its own reader: fetch the PUK of this
                                      one card from the server (helpdesk; recorded), set the
                                      holder's new PIN on the card in this reader, then give the
                                      card the next PUK the server made (the one fetched stops working)
  card change-pin --card NUMBER --url URL --module PATH
                                      set a new PIN on the card in this reader with the old one
                                      (the API token: TESSERA_API_TOKEN; the new PIN: TESSERA_NEW_PIN,
                                      the old: TESSERA_OLD_PIN, or else asked for, without echo, or
                                      read from standard input one per line, old before new)`;

/** A refusal of the server, said with its code. */
class ApiRefusal extends Error {}

/** A small client of Tessera's API with a bearer token; every refusal becomes a sentence. */
function apiClient(baseUrl: string, token: string) {
  return async <T>(method: "GET" | "POST", path: string): Promise<T> => {
    const url = new URL(path, baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiRefusal(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? String(error)}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiRefusal(
        `${url.origin} answered ${response.status} with something that is not JSON: is it Tessera?`,
      );
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiRefusal(
        `the server refused (${response.status}): ${error?.message ?? text.slice(0, 200)}${error?.code ? ` (${error.code})` : ""}`,
      );
    }
    return body as T;
  };
}

/** Reads one secret from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let typed = "";
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(usageError("cancelled"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}

/** All of standard input (a pipe or a file), as lines. */
async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/);
}

/**
 * The PINs the command needs, by name: from the environment when set there, else asked for on a
 * terminal, else read from standard input one per line in the order given. Never from a flag:
 * a command line is visible to every user of the machine (ps) and kept in shell histories.
 */
async function readPins(names: readonly ("old" | "new")[]): Promise<Record<"old" | "new", string>> {
  const env = { old: process.env.TESSERA_OLD_PIN, new: process.env.TESSERA_NEW_PIN };
  const missing = names.filter((name) => !env[name]);
  const pins: Record<string, string | undefined> = { ...env };
  if (missing.length > 0) {
    if (process.stdin.isTTY) {
      for (const name of missing) pins[name] = await promptHidden(`${name === "old" ? "Old" : "New"} PIN: `);
    } else {
      const lines = await readStdinLines();
      missing.forEach((name, i) => {
        pins[name] = (lines[i] ?? "").trim();
      });
    }
  }
  for (const name of names) {
    const pin = pins[name] ?? "";
    const variable = name === "old" ? "TESSERA_OLD_PIN" : "TESSERA_NEW_PIN";
    if (!pin) throw usageError(`the ${name} PIN is missing: set ${variable} or give it on standard input`);
    if (!/^\d+$/.test(pin)) throw usageError(`the ${name} PIN must be digits only`);
  }
  return pins as Record<"old" | "new", string>;
}

/**
 * `tessera card unblock|change-pin --card NUMBER --url URL --module PATH`: the PIN processes at
 * a helpdesk desk whose reader the server does not reach. The card is found by its number
 * through the API; for unblock its PUK is fetched (helpdesk only, recorded in the card's
 * history, only while the card is active); the module is loaded here and the card in this
 * desk's reader changed. Every failure is a sentence on stderr and exit 1 (2 for usage).
 */
export async function runCardCommand(sub: string | undefined, flags: Flags): Promise<number> {
  if (sub !== "unblock" && sub !== "change-pin")
    throw usageError(
      "try: tessera card unblock --card NUMBER --url URL --module PATH, or tessera card change-pin …",
    );
  const cardNumber = flags.get("card");
  const baseUrl = flags.get("url");
  const modulePath = flags.get("module");
  if (typeof cardNumber !== "string" || !/^\d{1,32}$/.test(cardNumber))
    throw usageError("--card needs the card's printed number (digits)");
  if (typeof baseUrl !== "string" || !URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw usageError("--url needs the server's address, e.g. https://tessera.example.org");
  // The answer holds the card's PUK and the request the API token: never in clear over a network.
  if (new URL(baseUrl).protocol === "http:" && !isLoopback(new URL(baseUrl).hostname))
    throw usageError(
      `--url ${baseUrl} is plain http: the PUK and the API token would cross the network in clear. Use the server's https address.`,
    );
  if (typeof modulePath !== "string")
    throw usageError("--module needs the path of this desk's PKCS#11 module, e.g. /usr/lib/opensc-pkcs11.so");
  const token = process.env.TESSERA_API_TOKEN;
  if (!token) throw usageError("TESSERA_API_TOKEN must hold an API token of a helpdesk operator");
  const pins = await readPins(sub === "unblock" ? ["new"] : ["old", "new"]);

  const api = apiClient(baseUrl, token);
  try {
    const found = await api<{ items: ListedCard[] }>(
      "GET",
      `/api/v1/cards?q=${encodeURIComponent(cardNumber)}&limit=10`,
    );
    const card = found.items.find((item) => item.cardNumber === cardNumber);
    if (!card) throw new ApiRefusal(`there is no card numbered ${cardNumber}`);
    const templates = await api<{ items: CardTemplate[] }>("GET", "/api/v1/templates");
    const template = templates.items.find((item) => item.name === card.template);
    if (!card.tokenSerial || !template?.pkcs11)
      throw new ApiRefusal(
        `card ${cardNumber} is a software token, not a chip card: it has no PIN to unblock`,
      );
    if (card.state !== "active")
      throw new ApiRefusal(
        `card ${cardNumber} is ${card.state}: only an active card's PIN is unblocked or changed`,
      );
    // The desk's module, not the server's: only the card type's rules come from the template.
    // Loaded (initialised) here before the reader's thread loads it, as at a station; the card
    // is worked on in that thread, as the server does.
    const module = loadPkcs11Module(modulePath);
    const readers = createReaderSlots(1, modulePath);
    try {
      const chip: CardChip = {
        card,
        template,
        settings: { ...template.pkcs11, module: modulePath },
        readers,
        serial: card.tokenSerial,
      };
      await checkNewPin(chip, pins.new);
      if (sub === "unblock") {
        const pukPath = `/api/v1/cards/${encodeURIComponent(card.id)}/puk`;
        const disclosed = await api<DisclosedPuk>("POST", pukPath);
        const onChip = { ...chip, serial: disclosed.tokenSerial };
        // The PUK the chip takes (the stored one, or the next one an earlier desk set and did not
        // confirm) unblocks it; then the disclosed PUK is retired: the chip's SO PIN becomes the
        // next PUK, and the server is told. The PUKs stay in this process's memory only.
        const used = await unblockPinOnChip(onChip, disclosed.pukCandidates, pins.new);
        try {
          await changePukOnChip(onChip, used, disclosed.nextPuk);
          await api("POST", `${pukPath}/rotated`);
          // A next PUK answered again (an earlier desk's rotation was not confirmed) was disclosed
          // to that desk too: once more, to one only this desk was given.
          if (disclosed.pukCandidates.length > 1) {
            const fresh = await api<DisclosedPuk>("POST", pukPath);
            await changePukOnChip(onChip, fresh.puk, fresh.nextPuk);
            await api("POST", `${pukPath}/rotated`);
          }
        } catch (error) {
          const cause = error instanceof Error ? error.message : String(error);
          throw new ApiRefusal(
            `the PIN of card ${cardNumber} is unblocked (the holder's new PIN is set), but its PUK was not changed (${cause.replace(/\.$/, "")}): run the unblock again to change it`,
          );
        }
        const letter = disclosed.pukPrinted ? " The PUK on the holder's PIN letter no longer works." : "";
        process.stdout.write(
          `The PIN of card ${cardNumber} is unblocked: the holder's new PIN is set.${letter}\n`,
        );
      } else {
        await changePinOnChip(chip, pins.old, pins.new);
        process.stdout.write(`The PIN of card ${cardNumber} is changed.\n`);
      }
    } finally {
      await readers.close();
      module.close();
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ApiRefusal)) throw error;
    process.stderr.write(`tessera: ${error.message}\n`);
    return 1;
  }
}

/** Whether `hostname` (as URL gives it) is this machine: plain http stays on it. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
