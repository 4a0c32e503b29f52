import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalSecretHasher, loadLocalSecret } from '../../../shared/adapters/local/local-keys.ts';
import { enrollmentCodeItem, userItem } from '../../../shared/adapters/dynamodb/items.ts';
import { enrollmentCodePurpose, normalizeEnrollmentCode } from '../../../shared/use-cases/enrollment-code.ts';
import { keys } from '../../../shared/storage/table.ts';
import { usernameKey } from '../../../shared/domain/types.ts';
import type { TestStage } from '../../support/local-stage.ts';

export interface IssuedCode {
  userId: string;
  /** As an administrator would read it out: groups of four, dashes between. */
  code: string;
  /** How it was issued: the admin API, or seeded in the table while the stage has none. */
  via: 'admin-api' | 'table';
}

/** Unambiguous letters and digits (no 0/O, 1/I/L): 16 of them carry 80 bits. */
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const newCode = () =>
  Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join('')).join('-');

/**
 * An administrator creates a user and issues them an enrollment code. Through the admin API
 * (issue 4) when the stage has it; until then by writing the same items the API will write —
 * the user, its username guard, and the code stored only as its keyed hash.
 */
export const issueEnrollmentCode = async (
  stage: TestStage,
  person: { username: string; displayName: string },
): Promise<IssuedCode> => {
  const created = await stage.call('POST', '/v1/admin/users', { token: stage.adminToken, body: person });
  if (created.status === 201) {
    const issued = await stage.call('POST', `/v1/admin/users/${encodeURIComponent(created.body.id)}/enrollment-codes`, {
      token: stage.adminToken,
      body: {},
    });
    if (issued.status !== 201) throw new Error(`The admin API refused to issue a code: ${issued.status} ${JSON.stringify(issued.body)}`);
    return { userId: created.body.id, code: issued.body.code, via: 'admin-api' };
  }
  // Ensure only "no admin API here yet" falls back; any other answer is a real failure.
  if (created.status !== 501 && created.status !== 404) {
    throw new Error(`The admin API refused to create ${person.username}: ${created.status} ${JSON.stringify(created.body)}`);
  }

  const userId = randomBytes(32).toString('base64url');
  const code = newCode();
  const hasher = createLocalSecretHasher(loadLocalSecret(join(stage.dataDirectory, 'keys')));
  const codeHash = await hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(code));
  const nameKey = usernameKey(person.username);
  const now = Date.now();
  await stage.documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: stage.tableName,
            Item: userItem(
              { id: userId, username: person.username, displayName: person.displayName, groups: [], disabled: false, createdAt: new Date(now).toISOString(), credentialCount: 0 },
              nameKey,
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: stage.tableName,
            Item: { ...keys.usernameGuard(nameKey), type: 'usernameGuard', userId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: stage.tableName,
            Item: enrollmentCodeItem({ codeHash, userId, expiresAt: now + 3_600_000, oneTime: true, createdAt: new Date(now).toISOString() }),
          },
        },
      ],
    }),
  );
  return { userId, code, via: 'table' };
};
