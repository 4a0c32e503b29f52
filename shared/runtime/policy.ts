import { createDynamoPolicySource } from '../adapters/dynamodb/policy-source.ts';
import { documentClient, tableName } from './storage.ts';
import { policyCacheSeconds, policyDefaults } from './settings.ts';
import { systemClock } from './clock.ts';

export const policy = createDynamoPolicySource(documentClient, tableName, { defaults: policyDefaults, cacheSeconds: policyCacheSeconds }, systemClock);
