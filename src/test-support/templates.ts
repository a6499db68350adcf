import { type CardTemplate, cardTemplateSchema, demoTemplates } from "../domain/card-template.js";

/**
 * The demo's Employee ID (two certificates, authentication and signature) under other names,
 * each card ending `validityDays` after production and numbered from `prefix`.
 */
export function employeeIdLasting(
  templates: [name: string, validityDays: number, prefix: string][],
): CardTemplate[] {
  return templates.map(([name, validityDays, prefix]) =>
    cardTemplateSchema.parse({ ...demoTemplates[0], name, validityDays, cardNumber: { prefix, digits: 8 } }),
  );
}

/**
 * Employee IDs whose cards, and their two certificates, end 20, 50 and 80 days after production:
 * one in each window of the expiring cards.
 */
export const shortLivedTemplates: CardTemplate[] = employeeIdLasting([
  ["Short pass", 20, "7101"],
  ["Medium pass", 50, "7102"],
  ["Long pass", 80, "7103"],
]);

/**
 * A template of one P-256 authentication certificate, named "logon", with these `logon` settings
 * as a configuration writes them (what it leaves out takes the schema's default).
 */
export function logonTemplate(name: string, logon: Record<string, unknown>, prefix: string): CardTemplate {
  return cardTemplateSchema.parse({
    name,
    profiles: [{ name: "logon", kind: "authentication", keyAlgorithm: "P-256", logon }],
    cardNumber: { prefix, digits: 8 },
  });
}
