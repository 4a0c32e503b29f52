import { buildEvent, eventUser } from '../../shared/events/build-event.ts';
import type { AuditEvent, DetailType, EventCredential } from '../../shared/events/catalog.ts';
import type { RequestContext } from '../../shared/domain/types.ts';
import type { Clock } from '../../shared/ports.ts';
import { basePolicy } from '../../shared/domain/policy.ts';

/** Realistic audit events of every detail-type, as the use cases build them. */

export const sampleContext: RequestContext = {
  requestId: 'c5a1f0e2-6b7d-4d8e-9f10-2a3b4c5d6e7f',
  stage: 'prod',
  client: {
    ip: '203.0.113.42',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    origin: 'https://portal.example.com',
  },
};

/** Admin calls come from the admin CLI or a script, signed with IAM, not from a browser. */
export const adminContext: RequestContext = {
  requestId: '7d0c2a9e-3f41-4b6a-8e25-91c4d7b0f318',
  stage: 'prod',
  client: { ip: '198.51.100.17', userAgent: 'latchkey-admin/0.1.0 node/22.12.0' },
};

const adminDetailTypes = new Set<DetailType>(['User Created', 'User Updated', 'Enrollment Code Issued', 'Policy Updated']);

export const sampleUser = eventUser({ id: 'mK3b9QnTq0yT3uE7Z0p2XxvUu8t1Dg4YwJr5aL6cB7s', username: 'ana.garcia' });

export const sampleCredential: EventCredential = {
  id: 'x8Tq2lW3bX0r9Gv5Kc1NmZ7yQe4Ui6Po0AsDfGhJkL2zXcVbNm1Qw3Er5Ty7Ui9Op0As2Df4Gh6Jk8Lz0Xc2Vb4Nm6Qw8Er0Ty2Ui4',
  aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
  authenticatorName: 'YubiKey 5 Series',
  nickname: 'Blue YubiKey',
  userVerified: true,
  backupEligible: false,
  backedUp: false,
  transports: ['nfc', 'usb'],
  attestationFormat: 'packed',
  attestationTrusted: true,
};

export const fixedClock = (at = '2026-03-04T09:15:27.412Z'): Clock => ({ now: () => Date.parse(at) });

const user = { type: 'user' as const, userId: sampleUser.id };
const admin = { type: 'admin' as const, principal: 'arn:aws:sts::123456789012:assumed-role/SecurityAdmin/jo.smith' };

/** One valid event of the given detail-type (fresh eventId each call). */
export const sampleEvent = (
  detailType: DetailType,
  clock: Clock = fixedClock(),
  context: RequestContext = adminDetailTypes.has(detailType) ? adminContext : sampleContext,
): AuditEvent => {
  switch (detailType) {
    case 'User Created':
      return buildEvent(detailType, { actor: admin, outcome: 'success', user: sampleUser, how: 'admin' }, context, clock);
    case 'User Updated':
      return buildEvent(
        detailType,
        { actor: admin, outcome: 'success', user: sampleUser, changes: { groups: { before: ['staff'], after: ['staff', 'finance'] } } },
        context,
        clock,
      );
    case 'Enrollment Code Issued':
      return buildEvent(detailType, { actor: admin, outcome: 'success', user: sampleUser }, context, clock);
    case 'Credential Registered':
      return buildEvent(detailType, { actor: user, outcome: 'success', user: sampleUser, credential: sampleCredential, how: 'selfService' }, context, clock);
    case 'Credential Registration Failed':
      return buildEvent(detailType, { actor: user, outcome: 'failure', reason: 'aaguid_restricted', user: sampleUser }, context, clock);
    case 'Credential Renamed':
      return buildEvent(
        detailType,
        { actor: user, outcome: 'success', user: sampleUser, credential: sampleCredential, changes: { nickname: { before: 'YubiKey 5 NFC', after: 'Blue YubiKey' } } },
        context,
        clock,
      );
    case 'Credential Deleted':
      return buildEvent(detailType, { actor: user, outcome: 'success', user: sampleUser, credential: sampleCredential }, context, clock);
    case 'Sign-In Succeeded':
      return buildEvent(detailType, { actor: user, outcome: 'success', user: sampleUser, credential: sampleCredential }, context, clock);
    case 'Sign-In Failed':
      return buildEvent(detailType, { actor: user, outcome: 'failure', reason: 'signature_invalid', user: sampleUser, credential: sampleCredential }, context, clock);
    case 'Credential Clone Suspected':
      return buildEvent(
        detailType,
        { actor: user, outcome: 'failure', reason: 'counter_regression', user: sampleUser, credential: sampleCredential, counter: { stored: 118, received: 97 } },
        context,
        clock,
      );
    case 'Policy Updated':
      return buildEvent(
        detailType,
        {
          actor: admin,
          outcome: 'success',
          policy: {
            before: { allowSyncedPasskeys: basePolicy.allowSyncedPasskeys, keyRestrictions: basePolicy.keyRestrictions },
            after: { allowSyncedPasskeys: false, keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [sampleCredential.aaguid] } },
          },
        },
        context,
        clock,
      );
  }
};

/** A sign-in failure with a fresh eventId: the cheapest valid event for bulk tests. */
export const signInFailed = (clock: Clock = { now: () => Date.now() }): AuditEvent => sampleEvent('Sign-In Failed', clock);
