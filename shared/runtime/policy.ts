import { createDynamoPolicySource } from '../adapters/dynamodb/policy-source.ts';
import { createDynamoPolicyStore } from '../adapters/dynamodb/policy-store.ts';
import { documentClient, tableName } from './storage.ts';
import { policyCacheSeconds, policyDefaults } from './settings.ts';
import { systemClock } from './clock.ts';

export const policy = createDynamoPolicySource(documentClient, tableName, { defaults: policyDefaults, cacheSeconds: policyCacheSeconds }, systemClock);

/** Admin function only: consistent reads and versioned replacement, no cache. */
export const policies = createDynamoPolicyStore(documentClient, tableName, policyDefaults);
