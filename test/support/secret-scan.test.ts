import { describe, it, expect } from 'vitest';
import { detailTypes } from '../../shared/events/catalog.ts';
import { toPublishedEvent } from '../../shared/events/published-event.ts';
import { assertNoSecrets, SecretLeakError } from './secret-scan.ts';
import { sampleEvent } from './sample-events.ts';

const signedIn = () => toPublishedEvent(sampleEvent('Sign-In Succeeded'));
const jwt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJ1c2VyIiwiaWF0IjoxNzAwMDAwMDAwfQ.MEUCIQDk7q0s1X3a9T5mZ8bV2nY4cR6wL0pJ3hF7gK9uE1dA';
const cosePublicKey = 'pQECAyYgASFYIBcN5nQ1PzW8Ra3aUqG0xK7hL2mV9yT4bE6dC1fJ8sRoIlggkV3cX7pZ0qW5eT8rY2uI4oP6aS9dF1gH3jK5lZ7xC0vB';
const signature = 'MEYCIQCvV1kq7Yt3N2pR8sU6wX0zA4bC5dE7fG9hJ1kL3mN5pQIhAOq2rS4tU6vW8xY0zA2bC4dE6fG8hJ0kL2mN4pQ6rS8t';

describe('assertNoSecrets', () => {
  it.each(detailTypes)('passes a realistic "%s" event', (detailType) => {
    expect(() => assertNoSecrets(toPublishedEvent(sampleEvent(detailType)))).not.toThrow();
  });

  it('finds a JWT anywhere, even in an otherwise harmless field', () => {
    const event = signedIn();
    const leaky = { ...event, detail: { ...event.detail, client: { ...event.detail.client, userAgent: `curl/8.5 Bearer ${jwt}` } } };

    expect(() => assertNoSecrets(leaky)).toThrow(/detail\.client\.userAgent: holds a JWT/);
  });

  it('finds a public key or signature by field name and by shape', () => {
    const event = signedIn();

    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, credential: { ...event.detail.credential, publicKey: 'x' } } })).toThrow(
      /detail\.credential\.publicKey: a field named "publicKey"/,
    );
    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, changes: { key: { before: null, after: cosePublicKey } } } })).toThrow(
      /detail\.changes\.key\.after: holds a \d+-character base64 blob/,
    );
    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, requestId: signature } })).not.toThrow();
    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, policy: { before: signature, after: null } } })).toThrow(SecretLeakError);
  });

  it('finds an enrollment code by field name, by shape and by value', () => {
    const event = toPublishedEvent(sampleEvent('Enrollment Code Issued'));

    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, enrollmentCode: 'whatever' } })).toThrow(/enrollmentCode/);
    expect(() => assertNoSecrets({ ...event, detail: { ...event.detail, changes: { note: { before: '', after: 'Your code: K7QF-2MXD-9TRB' } } } })).toThrow(
      /enrollment code/,
    );
    expect(() =>
      assertNoSecrets({ ...event, detail: { ...event.detail, user: { ...event.detail.user, username: 'ana+q8s7d6f5' } } }, { secrets: ['q8s7d6f5'] }),
    ).toThrow(/known secret #1/);
  });

  it('lets identifiers through: credential ids are long base64url but not secret', () => {
    const event = signedIn();

    expect(event.detail.credential?.id.length).toBeGreaterThan(80);
    expect(() => assertNoSecrets(event, { secrets: [jwt, cosePublicKey, signature] })).not.toThrow();
  });
});
