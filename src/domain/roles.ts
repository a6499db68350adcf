/** Operator roles, as in the commercial system Tessera's processes come from. Ids are API contract. */
export const roles = [
  "registrationOfficer",
  "approver",
  "productionAdministrator",
  "issuingAuthority",
  "helpdesk",
  "securityOfficer",
  "auditor",
  "administrator",
  "pinMailer",
] as const;
export type Role = (typeof roles)[number];

export const roleNames: Record<Role, string> = {
  registrationOfficer: "Registration officer",
  approver: "Approver",
  productionAdministrator: "Production administrator",
  issuingAuthority: "Issuing authority",
  helpdesk: "Helpdesk",
  securityOfficer: "Security officer",
  auditor: "Auditor",
  administrator: "Administrator",
  pinMailer: "PIN mailer",
};

export function hasAnyRole(held: readonly Role[], allowed: readonly Role[]): boolean {
  return allowed.some((role) => held.includes(role));
}

/**
 * Who may export a card search with the holders' names and e-mail addresses (CSV, for a mail
 * merge): those who write to holders about their cards. Personal data in bulk, so not every
 * operator: the PIN mailer, the auditor, approvers and production have no need of it.
 */
export const cardExportRoles: readonly Role[] = [
  "registrationOfficer",
  "issuingAuthority",
  "helpdesk",
  "administrator",
];
