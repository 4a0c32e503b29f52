import { createHmac, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsSecretHasher } from '../../../shared/adapters/kms/kms-secret-hasher.ts';
import { createLocalSecretHasher } from '../../../shared/adapters/local/local-keys.ts';
import { rejectionOf } from '../support/memory-world.ts';

const kmsMock = mockClient(KMSClient);

/** GenerateMac as KMS computes it for an HMAC_256 key: HMAC-SHA-256 of the message under the key's secret. */
const generateMacWith = (secret: Uint8Array) => async (input: { Message?: Uint8Array }) => ({
  Mac: new Uint8Array(createHmac('sha256', secret).update(input.Message ?? new Uint8Array()).digest()),
  MacAlgorithm: 'HMAC_SHA_256',
});

let kms: KMSClient;
let secret: Uint8Array;
beforeEach(() => {
  kmsMock.reset();
  kms = new KMSClient({ region: 'eu-west-1' });
  secret = new Uint8Array(randomBytes(32));
  kmsMock.on(GenerateMacCommand).callsFake(generateMacWith(secret));
});
afterEach(() => {
  kms.destroy();
});

describe('the KMS secret hasher', () => {
  it('derives each purpose\'s sub-key once with GenerateMac (HMAC_SHA_256, the configured key, latchkey/<purpose>)', async () => {
    // Prepare
    const hasher = createKmsSecretHasher(kms, 'alias/latchkey-hmac');

    // Act
    await Promise.all([hasher.hash('enrollment-code', 'A'), hasher.hash('enrollment-code', 'B')]);
    await hasher.hash('enrollment-code', 'C');
    await hasher.hash('decoy-credentials', 'ada');

    // Assess
    const calls = kmsMock.commandCalls(GenerateMacCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls.map((input) => Buffer.from(input.Message ?? []).toString())).toEqual(['latchkey/enrollment-code', 'latchkey/decoy-credentials']);
    expect(calls.every((input) => input.KeyId === 'alias/latchkey-hmac' && input.MacAlgorithm === 'HMAC_SHA_256')).toBe(true);
  });

  it('is deterministic across containers and differs per purpose and per value', async () => {
    // Prepare
    const containerA = createKmsSecretHasher(kms, 'hmac-key');
    const containerB = createKmsSecretHasher(kms, 'hmac-key');

    // Act
    const [a1, a2, b1, otherPurpose, otherValue] = await Promise.all([
      containerA.hash('enrollment-code', 'K7QXM2PA'),
      containerA.hash('enrollment-code', 'K7QXM2PA'),
      containerB.hash('enrollment-code', 'K7QXM2PA'),
      containerA.hash('decoy-credentials', 'K7QXM2PA'),
      containerA.hash('enrollment-code', 'K7QXM2PB'),
    ]);

    // Assess
    expect(a1).toBe(a2);
    expect(b1).toBe(a1);
    expect(otherPurpose).not.toBe(a1);
    expect(otherValue).not.toBe(a1);
    expect(a1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a1).not.toContain('K7QXM2PA');
  });

  it('hashes exactly as the local hasher does with the same secret, so the two adapters are interchangeable', async () => {
    // Prepare
    const kmsHasher = createKmsSecretHasher(kms, 'hmac-key');
    const localHasher = createLocalSecretHasher(secret);

    // Act
    const fromKms = await kmsHasher.hash('enrollment-code', 'ÅSA-ÖRN-42');
    const fromLocal = await localHasher.hash('enrollment-code', 'ÅSA-ÖRN-42');

    // Assess
    expect(fromKms).toBe(fromLocal);
  });

  it('does not cache a failed GenerateMac, nor one that returned no MAC', async () => {
    // Prepare
    kmsMock.reset();
    kmsMock
      .on(GenerateMacCommand)
      .rejectsOnce(new Error('KMS is unavailable'))
      .resolvesOnce({})
      .callsFake(generateMacWith(secret));
    const hasher = createKmsSecretHasher(kms, 'hmac-key');

    // Act
    const failed = await rejectionOf(hasher.hash('enrollment-code', 'X'));
    const empty = await rejectionOf(hasher.hash('enrollment-code', 'X'));
    const recovered = await hasher.hash('enrollment-code', 'X');

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect((empty as Error).message).toMatch(/no MAC/);
    expect(recovered).toBe(await createLocalSecretHasher(secret).hash('enrollment-code', 'X'));
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(3);
  });
});
