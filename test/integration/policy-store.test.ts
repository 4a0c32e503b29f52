import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import { createDynamoPolicySource } from '../../shared/adapters/dynamodb/policy-source.ts';
import { createDynamoPolicyStore } from '../../shared/adapters/dynamodb/policy-store.ts';
import { memoryClock } from '../../shared/adapters/memory/memory-ports.ts';
import { resolvePolicyDefaults } from '../../shared/domain/policy.ts';
import { ConditionFailedError } from '../../shared/errors.ts';

/** The policy item on DynamoDB Local: versioned replacement and the functions' cached read. */
let stage: TestStage;
const defaults = resolvePolicyDefaults({ attestation: 'direct' });

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

describe('the stored policy', () => {
  it('is the stage defaults at version 0 until one is stored, then the stored one', async () => {
    const store = createDynamoPolicyStore(stage.documentClient, stage.tableName, defaults);
    expect(await store.read()).toEqual({ policy: defaults, version: 0 });

    await store.replace({ policy: { ...defaults, enabled: false }, expectedVersion: 0, updatedAt: new Date().toISOString(), events: [] });

    expect(await store.read()).toEqual({ policy: { ...defaults, enabled: false }, version: 1 });
  });

  it('refuses a replacement based on an older version (two admins at once)', async () => {
    const store = createDynamoPolicyStore(stage.documentClient, stage.tableName, defaults);
    const { version } = await store.read();
    await store.replace({ policy: defaults, expectedVersion: version, updatedAt: new Date().toISOString(), events: [] });

    await expect(store.replace({ policy: defaults, expectedVersion: version, updatedAt: new Date().toISOString(), events: [] })).rejects.toBeInstanceOf(ConditionFailedError);
  });

  it('reaches the functions within POLICY_CACHE_SECONDS, not before', async () => {
    // Prepare
    const clock = memoryClock();
    const store = createDynamoPolicyStore(stage.documentClient, stage.tableName, defaults);
    const source = createDynamoPolicySource(stage.documentClient, stage.tableName, { defaults, cacheSeconds: 10 }, clock);
    const before = await source.current();
    const { version } = await store.read();

    // Act
    await store.replace({ policy: { ...before, maxCredentialsPerUser: 3 }, expectedVersion: version, updatedAt: new Date().toISOString(), events: [] });

    // Assess
    clock.advance(9_999);
    expect((await source.current()).maxCredentialsPerUser).toBe(before.maxCredentialsPerUser);
    clock.advance(1);
    expect((await source.current()).maxCredentialsPerUser).toBe(3);
  });
});
