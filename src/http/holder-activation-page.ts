/**
 * The holder's activation page (issue 12): plain HTML and a little CSS, no script, so it opens
 * at once on any phone; outside the operator UI and its bundle. Its words come from one table
 * per language; the office chooses the language (TESSERA_LANGUAGE).
 */
export const pageLanguages = ["en", "sv"] as const;
export type PageLanguage = (typeof pageLanguages)[number];

interface Words {
  title: string;
  intro: string;
  cardNumber: string;
  cardNumberHint: string;
  code: string;
  codeHint: string;
  submit: string;
  done: (cardNumber: string) => string;
  again: string;
  /** What the holder reads for each refusal, by error code; anything else reads `failed`. */
  refusals: Partial<Record<string, string>>;
  failed: string;
}

const words: Record<PageLanguage, Words> = {
  en: {
    title: "Activate your card",
    intro: "Type the card number and the activation code printed on your PIN letter.",
    cardNumber: "Card number",
    cardNumberHint: "As printed on the card",
    code: "Activation code",
    codeHint: "12 letters and digits, for example 7K3M-Q9TR-2XWD",
    submit: "Activate",
    done: (n) => `Card ${n} is active. You can use it now.`,
    again: "Back",
    refusals: {
      "activation.code_malformed":
        "Type the card number and the 12-character activation code as printed on your PIN letter.",
      "activation.code_wrong":
        "The card number and the activation code do not match. Check both and try again.",
      "activation.code_expired":
        "The activation code has expired. The ID office can activate the card for you.",
      "activation.code_used": "This card was activated already, or its code was replaced by a newer letter.",
      "activation.too_many_tries": "Too many wrong codes. The ID office can activate the card for you.",
      "activation.not_offered": "This office activates cards at its desk; it does not offer this page.",
    },
    failed: "The card could not be activated. The ID office can help you.",
  },
  sv: {
    title: "Aktivera ditt kort",
    intro: "Skriv kortnumret och aktiveringskoden från ditt PIN-brev.",
    cardNumber: "Kortnummer",
    cardNumberHint: "Som det står på kortet",
    code: "Aktiveringskod",
    codeHint: "12 bokstäver och siffror, till exempel 7K3M-Q9TR-2XWD",
    submit: "Aktivera",
    done: (n) => `Kort ${n} är aktivt. Du kan använda det nu.`,
    again: "Tillbaka",
    refusals: {
      "activation.code_malformed":
        "Skriv kortnumret och den 12 tecken långa aktiveringskoden från PIN-brevet.",
      "activation.code_wrong":
        "Kortnumret och aktiveringskoden hör inte ihop. Kontrollera båda och försök igen.",
      "activation.code_expired": "Aktiveringskoden har gått ut. ID-kontoret kan aktivera kortet åt dig.",
      "activation.code_used": "Kortet är redan aktiverat, eller så har koden ersatts av ett nyare brev.",
      "activation.too_many_tries": "För många felaktiga koder. ID-kontoret kan aktivera kortet åt dig.",
      "activation.not_offered":
        "Det här kontoret aktiverar kort i sin reception och erbjuder inte den här sidan.",
    },
    failed: "Kortet kunde inte aktiveras. ID-kontoret kan hjälpa dig.",
  },
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const style = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1b1e;background:#f4f5f7}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.5rem;margin:0 0 .25rem}
.office{color:#495057;margin:0 0 1rem}form{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
label{display:block;font-weight:600;margin-top:.75rem}.hint{display:block;font-weight:400;font-size:.875rem;color:#495057}
input{width:100%;font:inherit;padding:.625rem;margin-top:.25rem;border:1px solid #868e96;border-radius:6px}
input:focus{outline:3px solid #4dabf7;outline-offset:1px}button{margin-top:1rem;width:100%;font:inherit;font-weight:600;padding:.75rem;border:0;border-radius:6px;background:#1c64d1;color:#fff}
.message{padding:.75rem 1rem;border-radius:6px;margin:0 0 1rem}.ok{background:#e6fcf5;border:1px solid #0ca678}.refused{background:#fff5f5;border:1px solid #e03131}
a{color:#1c64d1}`;

/** The page: the form, with the holder's card number kept after a refusal and the outcome above it. */
export function holderActivationPage(page: {
  language: PageLanguage;
  office: string;
  cardNumber?: string;
  outcome?: { ok: true; cardNumber: string } | { ok: false; code: string };
}): string {
  const w = words[page.language];
  const outcome = page.outcome;
  const message = !outcome
    ? ""
    : outcome.ok
      ? `<p class="message ok" role="status">${escapeHtml(w.done(outcome.cardNumber))}</p>`
      : `<p class="message refused" role="alert">${escapeHtml(w.refusals[outcome.code] ?? w.failed)}</p>`;
  const form =
    outcome?.ok === true
      ? ""
      : `<form method="post" action="/activate">
<label for="cardNumber">${escapeHtml(w.cardNumber)} <span class="hint" id="cardNumberHint">${escapeHtml(w.cardNumberHint)}</span></label>
<input id="cardNumber" name="cardNumber" required maxlength="40" autocomplete="off" inputmode="numeric" aria-describedby="cardNumberHint" value="${escapeHtml(page.cardNumber ?? "")}">
<label for="code">${escapeHtml(w.code)} <span class="hint" id="codeHint">${escapeHtml(w.codeHint)}</span></label>
<input id="code" name="code" required maxlength="20" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" aria-describedby="codeHint">
<button type="submit">${escapeHtml(w.submit)}</button>
</form>`;
  return `<!doctype html>
<html lang="${page.language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(w.title)} — ${escapeHtml(page.office)}</title><style>${style}</style></head>
<body><main>
<h1>${escapeHtml(w.title)}</h1>
<p class="office">${escapeHtml(page.office)}</p>
${message}
${outcome?.ok === true ? "" : `<p>${escapeHtml(w.intro)}</p>`}
${form}
</main></body></html>`;
}
