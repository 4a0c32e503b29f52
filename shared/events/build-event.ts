import { monotonicFactory } from 'ulid';
import type { Clock } from '../ports.ts';
import type { RequestContext, StoredCredential, User } from '../domain/types.ts';
import type { AuditEvent, DetailOf, DetailType } from './catalog.ts';

const nextEventId = monotonicFactory();

type Envelope = 'schemaVersion' | 'eventId' | 'occurredAt' | 'stage' | 'requestId' | 'client';

/** Fills the envelope every event shares (EVENTS.md): id, time, stage, request and client. */
export const buildEvent = <T extends DetailType>(
  detailType: T,
  fields: Omit<DetailOf<T>, Envelope>,
  context: RequestContext,
  clock: Clock,
): AuditEvent => {
  const now = clock.now();
  return {
    detailType,
    detail: {
      schemaVersion: 1,
      eventId: nextEventId(now),
      occurredAt: new Date(now).toISOString(),
      stage: context.stage,
      requestId: context.requestId,
      client: context.client,
      ...fields,
    },
  } as AuditEvent;
};

/** The user as events show them: id and username, nothing else. */
export const eventUser = (user: Pick<User, 'id' | 'username'>) => ({ id: user.id, username: user.username });

/** The credential as events show it: never the public key, counter or signature. */
export const eventCredential = (credential: StoredCredential, userVerified = credential.userVerified) => ({
  id: credential.id,
  aaguid: credential.aaguid,
  ...(credential.authenticatorName ? { authenticatorName: credential.authenticatorName } : {}),
  nickname: credential.nickname,
  userVerified,
  backupEligible: credential.backupEligible,
  backedUp: credential.backedUp,
  transports: credential.transports,
  attestationFormat: credential.attestationFormat,
  attestationTrusted: credential.attestationTrusted,
});
