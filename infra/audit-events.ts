import { eventSource, type DetailType } from '../shared/events/catalog.ts';

/** The audit-event facts the infrastructure keys on (bus rule, archive, metric filters), from the catalog. */
export const auditEventSource = eventSource;

export const auditDetailTypes = {
  signInSucceeded: 'Sign-In Succeeded',
  signInFailed: 'Sign-In Failed',
  credentialCloneSuspected: 'Credential Clone Suspected',
} as const satisfies Record<string, DetailType>;
