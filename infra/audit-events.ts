/**
 * The audit-event facts the infrastructure keys on: the bus rule, archive and metric filters.
 * EVENTS.md defines them; once the runtime's event catalog (shared/events/catalog.ts,
 * `eventSource` and `DetailType`) is on main, import these from it instead.
 */
export const auditEventSource = 'latchkey';

export const auditDetailTypes = {
  signInSucceeded: 'Sign-In Succeeded',
  signInFailed: 'Sign-In Failed',
  credentialCloneSuspected: 'Credential Clone Suspected',
} as const;
