/**
 * Authenticator statuses of FIDO Metadata Service 3 (§3.1.4 AuthenticatorStatus) and which of
 * them mean a model can no longer be trusted. MDS may add statuses: any string is accepted and
 * only the ones below refuse a key.
 */

/** A status that means keys of this model must not be trusted (our issue 6, Entra's list). */
export const compromisingStatuses = [
  'REVOKED',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_VERIFICATION_BYPASS',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
] as const;
export type CompromisingStatus = (typeof compromisingStatuses)[number];

export const isCompromisingStatus = (status: string | undefined): status is CompromisingStatus =>
  status !== undefined && (compromisingStatuses as readonly string[]).includes(status);

export interface StatusReport {
  status: string;
  /** ISO 8601 date (YYYY-MM-DD) from which the status applies. */
  effectiveDate?: string | undefined;
}

/**
 * The model's current status: the report with the latest effectiveDate; among reports without
 * a date, or with the same date, the one listed last. MDS §3.1.3: statusReports describe the
 * model's history, and the newest report is what holds now.
 */
export const currentStatusReport = <T extends StatusReport>(reports: readonly T[]): T | undefined => {
  let current: T | undefined;
  for (const report of reports) {
    if (current === undefined || (report.effectiveDate ?? '') >= (current.effectiveDate ?? '')) current = report;
  }
  return current;
};
