import Table from 'cli-table3';
import picocolors from 'picocolors';
import type { Policy } from '../shared/domain/policy.ts';
import type { User } from '../shared/domain/types.ts';
import type { PolicyImpact } from '../shared/use-cases/admin/assess-policy-impact.ts';
import type { AdminCredential } from './admin-client.ts';

/** How results are shown: readable tables for people, colour only on a terminal. */
export interface Renderer {
  colors: ReturnType<typeof picocolors.createColors>;
  table(head: string[]): Table.Table;
}

export const createRenderer = (colorful: boolean): Renderer => {
  const colors = picocolors.createColors(colorful);
  return {
    colors,
    table: (head) =>
      new Table({
        head: head.map((title) => colors.bold(title)),
        // cli-table3 colours headers and borders itself; leave that to picocolors' decision.
        style: { head: [], border: [] },
        // One line per row, no rule between rows: long lists stay readable.
        chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
        wordWrap: true,
      }),
  };
};

/** Nested settings flattened to `keyRestrictions.aaguids` style rows. */
const flatten = (value: unknown, prefix = ''): [string, string][] => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => flatten(child, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix, Array.isArray(value) ? (value.length === 0 ? '(none)' : value.join('\n')) : String(value)]];
};

export const renderPolicy = (policy: Policy, render: Renderer): string => {
  const table = render.table(['setting', 'value']);
  table.push(...flatten(policy));
  return table.toString();
};

export const renderUser = (user: User, render: Renderer): string => {
  const table = render.table(['field', 'value']);
  table.push(
    ['id', user.id],
    ['username', user.username],
    ['displayName', user.displayName],
    ['groups', user.groups.length === 0 ? '(none)' : user.groups.join(', ')],
    ['disabled', user.disabled ? render.colors.red('yes') : 'no'],
    ['createdAt', user.createdAt],
  );
  return table.toString();
};

export const renderKeys = (credentials: AdminCredential[], render: Renderer): string => {
  if (credentials.length === 0) return 'No keys.';
  const table = render.table(['id', 'nickname', 'aaguid', 'kind', 'created', 'last used']);
  for (const credential of credentials) {
    const kind = credential.backupEligible ? 'synced passkey' : 'device-bound';
    table.push([
      credential.id,
      credential.nickname + (credential.cloneSuspected ? render.colors.red(' (clone suspected)') : ''),
      credential.authenticatorName ? `${credential.aaguid}\n${credential.authenticatorName}` : credential.aaguid,
      kind,
      credential.createdAt,
      credential.lastUsedAt ?? 'never',
    ]);
  }
  return table.toString();
};

export const renderCode = (issued: { code: string; expiresAt: string }, user: User, oneTime: boolean, render: Renderer): string =>
  [
    `Enrollment code for ${user.username}:`,
    '',
    `    ${render.colors.bold(issued.code)}`,
    '',
    `${oneTime ? 'One-time' : 'Multi-use'}, valid until ${issued.expiresAt}. It is shown only now; give it to the user by a trusted channel.`,
  ].join('\n');

const ruleLabels: Record<string, string> = {
  policy_disabled: 'method disabled',
  user_not_targeted: 'not targeted (include/exclude groups)',
  aaguid_restricted: 'key model restricted',
  synced_passkey_not_allowed: 'synced passkeys not allowed',
};

export const renderImpact = (impact: PolicyImpact, render: Renderer): string => {
  const { colors } = render;
  const lines: string[] = [];
  const { lockedOut, totals } = impact;
  const headline = `${lockedOut.users} of ${totals.users - totals.disabledUsers} enabled users would be locked out (${lockedOut.newlyLockedOutUsers} newly); ${lockedOut.credentials} of ${totals.credentials} keys refused (${lockedOut.newlyRefusedCredentials} newly).`;
  lines.push(lockedOut.newlyLockedOutUsers > 0 ? colors.red(headline) : lockedOut.credentials > 0 ? colors.yellow(headline) : colors.green(headline));
  if (totals.disabledUsers > 0) lines.push(`${totals.disabledUsers} disabled users are out already and not counted.`);

  const rules = render.table(['rule', 'users', 'keys']);
  rules.push(...impact.rules.map((rule) => [ruleLabels[rule.rule] ?? rule.rule, rule.users, rule.credentials]));
  lines.push('', rules.toString());

  if (impact.affectedUsers.users.length > 0) {
    const users = render.table(['user', 'groups', 'outcome', 'refused keys']);
    for (const entry of impact.affectedUsers.users) {
      const outcome = entry.lockedOut ? (entry.newlyLockedOut ? colors.red('locked out (new)') : 'locked out (already)') : colors.yellow('some keys refused');
      const refused = entry.credentials
        .filter((credential) => credential.reason)
        .map((credential) => `${credential.nickname} ${credential.aaguid}: ${ruleLabels[credential.reason ?? ''] ?? credential.reason}`);
      users.push([
        entry.user.username,
        entry.user.groups.join(', ') || '(none)',
        entry.reason ? `${outcome}\n${ruleLabels[entry.reason] ?? entry.reason}` : outcome,
        refused.join('\n') || (entry.credentials.length === 0 ? '(no keys)' : ''),
      ]);
    }
    lines.push('', users.toString());
    if (impact.affectedUsers.truncated) {
      lines.push(`Showing ${impact.affectedUsers.users.length} of ${impact.affectedUsers.total} affected users; --limit shows more, --json gives them to scripts.`);
    }
  }
  for (const warning of impact.warnings) lines.push(colors.yellow(`Warning: ${warning}`));
  return lines.join('\n');
};
