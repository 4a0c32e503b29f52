import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import { readEventsFile } from '../support/event-schema.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import type { PublishedEvent } from '../../shared/events/catalog.ts';

/**
 * Each flow, through real requests on the local stage, puts exactly the expected events in
 * the local events file (via the outbox, the stream and the same relay AWS runs); every event
 * validates against its detail-type schema and carries no secret.
 */
let stage: TestStage;
let seen = 0;
const secrets: string[] = [];

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

/** The events published since the last call, after the relay has caught up. */
const newEvents = async (): Promise<PublishedEvent[]> => {
  await stage.eventsDrained();
  const events = await readEventsFile(stage.eventsFile);
  const fresh = events.slice(seen);
  seen = events.length;
  for (const event of fresh) assertNoSecrets(event, { secrets });
  return fresh;
};

const types = (events: PublishedEvent[]) => events.map((event) => event['detail-type']).sort();

describe('audit events in the local events file', () => {
  let authenticator: SoftAuthenticator;
  let token = '';
  let credentialId = '';

  it('self sign-up: User Created and Credential Registered, in one transaction', async () => {
    authenticator = new SoftAuthenticator({ origin: stage.url });
    const options = await stage.call('POST', '/v1/registration/options', { body: { username: 'auditee' } });
    const result = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
    expect(result.status).toBe(201);
    token = result.body.accessToken;
    credentialId = result.body.credential.id;
    secrets.push(token);

    const events = await newEvents();
    expect(types(events)).toEqual(['Credential Registered', 'User Created']);
    const registered = events.find((event) => event['detail-type'] === 'Credential Registered')!;
    expect(registered).toMatchObject({ source: 'latchkey', detail: { how: 'selfSignUp', user: { username: 'auditee' }, credential: { id: credentialId } } });
    expect(registered.detail.requestId).toBe(events.find((event) => event['detail-type'] === 'User Created')!.detail.requestId);
  });

  it('a successful sign-in: Sign-In Succeeded, within 2 s', async () => {
    const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
    const started = Date.now();
    const result = await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options) } });
    expect(result.status).toBe(200);
    secrets.push(result.body.accessToken);

    const events = await newEvents();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(types(events)).toEqual(['Sign-In Succeeded']);
    expect(events[0]!.detail).toMatchObject({ outcome: 'success', credential: { id: credentialId, userVerified: true } });
  });

  it('a failed sign-in: Sign-In Failed with the reason', async () => {
    const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
    await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options, { corruptSignature: true }) } });
    const malformed = await stage.call('POST', '/v1/authentication/verify', { rawBody: '{"response":' });
    expect(malformed.status).toBe(400);

    const events = await newEvents();
    expect(types(events)).toEqual(['Sign-In Failed', 'Sign-In Failed']);
    expect(events.map((event) => event.detail.reason).sort()).toEqual(['malformed_response', 'signature_invalid']);
  });

  it('a counter regression: Credential Clone Suspected and Sign-In Failed', async () => {
    const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
    await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options, { counter: 1 }) } });

    const events = await newEvents();
    expect(types(events)).toEqual(['Credential Clone Suspected', 'Sign-In Failed']);
  });

  it('a refused registration: Credential Registration Failed', async () => {
    const options = await stage.call('POST', '/v1/registration/options', { body: {}, token });
    await stage.call('POST', '/v1/registration/verify', {
      body: { response: new SoftAuthenticator({ origin: 'https://evil.example' }).register(options.body.options) },
    });

    const events = await newEvents();
    expect(types(events)).toEqual(['Credential Registration Failed']);
    expect(events[0]!.detail).toMatchObject({ reason: 'origin_mismatch', user: { username: 'auditee' } });
  });

  it('rename and delete: Credential Renamed, Credential Deleted', async () => {
    const second = new SoftAuthenticator({ origin: stage.url });
    const options = await stage.call('POST', '/v1/registration/options', { body: {}, token });
    const added = await stage.call('POST', '/v1/registration/verify', { body: { response: second.register(options.body.options) } });
    await stage.call('PATCH', `/v1/credentials/${credentialId}`, { body: { nickname: 'Desk key' }, token });
    await stage.call('DELETE', `/v1/credentials/${added.body.credential.id}`, { token });

    const events = await newEvents();
    expect(types(events)).toEqual(['Credential Deleted', 'Credential Registered', 'Credential Renamed']);
  });
});
