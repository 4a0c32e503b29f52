import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { AdminApiError, ConnectionError, type AdminClient } from './admin-client.ts';
import { connect, UsageError, type ConnectionDeps, type ConnectionOptions } from './connection.ts';
import { createRenderer, renderCode, renderImpact, renderKeys, renderPolicy, renderUser, type Renderer } from './render.ts';
import { StageLookupError } from './stage-outputs.ts';
import { formatMetadataStatus, formatRefreshResult, metadataStatusSchema } from './metadata-commands.ts';
import { metadataRefreshResultSchema } from '../shared/metadata/refresh-result.ts';

/** Exit codes scripts can rely on. */
export const exitCodes = {
  ok: 0,
  /** The API refused or failed, or could not be reached. */
  failed: 1,
  /** The command line or configuration was wrong. */
  usage: 2,
  /** `policy set` stopped because the policy would newly lock users out (use --force). */
  refused: 3,
} as const;

export interface CliIo {
  /** Raw text; the CLI adds the newlines. */
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Colour and bold for people at a terminal; never with --json. */
  colorful?: boolean;
  readStdin?: () => Promise<string>;
  /** Replacements for fetch and the AWS clients (tests). */
  connection?: Omit<ConnectionDeps, 'env'>;
}

interface GlobalOptions extends ConnectionOptions {
  json?: boolean;
}

/** `policy set` would newly lock users out and was not forced. */
class SafetyRefusal extends Error {
  override readonly name = 'SafetyRefusal';
}

const parsePositiveInteger = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
};

/** `600`, `90m`, `8h`, `7d`: seconds, minutes, hours, days. */
export const parseDuration = (value: string): number => {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 600, 90m, 8h or 7d.');
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const groupList = (value: string): string[] => value.split(',').map((group) => group.trim()).filter((group) => group !== '');

/** The admin CLI: parses `argv` (without node and the script), runs one command, returns the exit code. */
export const runAdminCli = async (argv: string[], io: CliIo): Promise<number> => {
  const print = (text: string) => io.stdout(`${text}\n`);
  let globals: GlobalOptions = {};

  /** The API client for a command, from the global options. */
  const apiFor = async (command: Command): Promise<AdminClient> => {
    globals = command.optsWithGlobals<GlobalOptions>();
    return (await connect(globals, { env: io.env, ...io.connection })).client;
  };
  const show = <T>(value: T, human: (value: T, renderer: Renderer) => string) =>
    print(globals.json ? JSON.stringify(value, null, 2) : human(value, createRenderer(Boolean(io.colorful))));
  const userIdOf = async (api: AdminClient, user: string, byId: boolean | undefined) => (byId ? user : (await api.findUser(user)).id);

  const readPolicyFile = async (file: string): Promise<Record<string, unknown>> => {
    let text: string;
    try {
      text = file === '-' ? await (io.readStdin ?? (() => Promise.resolve('')))() : await readFile(file, 'utf8');
    } catch (cause) {
      throw new UsageError(`Cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`${file} is not valid JSON.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${file} must hold a JSON object (a Policy).`);
    return parsed as Record<string, unknown>;
  };
  /** The file's policy; with --merge, the current policy with the file's top-level settings over it. */
  const proposedPolicy = async (api: AdminClient, file: string, merge: boolean | undefined) => {
    const settings = await readPolicyFile(file);
    return merge ? { ...(await api.getPolicy()), ...settings } : settings;
  };

  const program = new Command('npm run admin --')
    .description('Administer a Latchkey stage: policy, users, enrollment codes, keys.')
    .option('--url <url>', 'API URL of the local stage (env LATCHKEY_URL, default http://localhost:3000), or of --stage to skip the stack lookup')
    .option('--token <token>', 'the local stage\'s admin token (env LOCAL_ADMIN_TOKEN)')
    .option('--stage <name>', 'a deployed stage (env LATCHKEY_STAGE): URL from stack Latchkey-<name>-Stateless, requests SigV4-signed')
    .option('--region <region>', 'AWS region of the stage (default: from the URL, else your AWS config)')
    .option('--profile <profile>', 'AWS profile whose credentials sign the requests')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const policy = program.command('policy').description('the authentication-method policy');
  policy
    .command('get')
    .description('show the effective policy')
    .action(async (_options, command: Command) => {
      show(await (await apiFor(command)).getPolicy(), renderPolicy);
    });
  policy
    .command('impact')
    .description('which users and keys a proposed policy would lock out, without applying it')
    .argument('<file>', 'JSON Policy file, - for standard input')
    .option('--merge', 'the file holds only some settings: apply them over the current policy')
    .option('--limit <n>', 'list at most n affected users (counts always cover everyone)', parsePositiveInteger)
    .action(async (file: string, options: { merge?: boolean; limit?: number }, command: Command) => {
      const api = await apiFor(command);
      show(await api.assessImpact(await proposedPolicy(api, file, options.merge), options.limit), renderImpact);
    });
  policy
    .command('set')
    .description('replace the policy; stops if it would newly lock users out, unless --force')
    .argument('<file>', 'JSON Policy file, - for standard input')
    .option('--merge', 'the file holds only some settings: apply them over the current policy')
    .option('--force', 'apply even if users would be newly locked out')
    .action(async (file: string, options: { merge?: boolean; force?: boolean }, command: Command) => {
      const api = await apiFor(command);
      const proposed = await proposedPolicy(api, file, options.merge);
      const impact = await api.assessImpact(proposed);
      if (impact.lockedOut.newlyLockedOutUsers > 0 && !options.force) {
        io.stderr(`${globals.json ? JSON.stringify(impact, null, 2) : renderImpact(impact, createRenderer(Boolean(io.colorful)))}\n`);
        throw new SafetyRefusal(`Not applied: ${impact.lockedOut.newlyLockedOutUsers} users would be newly locked out. Re-run with --force to apply anyway.`);
      }
      const applied = await api.setPolicy(proposed);
      if (!globals.json) {
        for (const warning of impact.warnings) io.stderr(`Warning: ${warning}\n`);
        print('Policy updated.');
      }
      show(applied, renderPolicy);
    });

  const users = program.command('users').description('users (an admin creates them; they enrol with a code)');
  users
    .command('create')
    .description('create a user')
    .argument('<username>')
    .option('--display-name <name>', 'name shown to people (default: the username)')
    .option('-g, --group <group>', 'a group the user is in (repeat for more)', collect, [])
    .action(async (username: string, options: { displayName?: string; group: string[] }, command: Command) => {
      const api = await apiFor(command);
      show(await api.createUser({ username, ...(options.displayName ? { displayName: options.displayName } : {}), groups: options.group }), renderUser);
    });
  users
    .command('find')
    .description('find a user by username, whatever its case')
    .argument('<username>')
    .action(async (username: string, _options, command: Command) => {
      show(await (await apiFor(command)).findUser(username), renderUser);
    });
  users
    .command('get')
    .description('show a user by id')
    .argument('<userId>', 'user id (after "--" if it starts with "-")')
    .action(async (userId: string, _options, command: Command) => {
      show(await (await apiFor(command)).getUser(userId), renderUser);
    });
  users
    .command('update')
    .description('change display name or groups')
    .argument('<user>', 'username (or id with --id)')
    .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
    .option('--display-name <name>', 'new display name')
    .option('--groups <list>', 'replace the groups with this comma-separated list ("" for none)', groupList)
    .option('--add-group <group>', 'add a group (repeatable)', collect, [])
    .option('--remove-group <group>', 'remove a group (repeatable)', collect, [])
    .action(async (user: string, options: { id?: boolean; displayName?: string; groups?: string[]; addGroup: string[]; removeGroup: string[] }, command: Command) => {
      const api = await apiFor(command);
      const current = options.id ? await api.getUser(user) : await api.findUser(user);
      const touchesGroups = options.groups !== undefined || options.addGroup.length > 0 || options.removeGroup.length > 0;
      if (!touchesGroups && options.displayName === undefined) throw new UsageError('Nothing to change: pass --display-name, --groups, --add-group or --remove-group.');
      const groups = [...(options.groups ?? current.groups), ...options.addGroup].filter((group) => !options.removeGroup.includes(group));
      show(
        await api.updateUser(current.id, {
          ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
          ...(touchesGroups ? { groups: [...new Set(groups)] } : {}),
        }),
        renderUser,
      );
    });
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(name)
      .description(disabled ? 'stop a user signing in, enrolling or using their tokens, at once' : 'let a disabled user sign in again')
      .argument('<user>', 'username (or id with --id)')
      .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
      .action(async (user: string, options: { id?: boolean }, command: Command) => {
        const api = await apiFor(command);
        show(await api.updateUser(await userIdOf(api, user, options.id), { disabled }), renderUser);
      });
  }
  users
    .command('delete')
    .description('delete a user with all their keys and codes')
    .argument('<user>', 'username (or id with --id)')
    .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
    .option('--yes', 'confirm: this cannot be undone')
    .action(async (user: string, options: { id?: boolean; yes?: boolean }, command: Command) => {
      if (!options.yes) throw new UsageError('Deleting a user removes all their keys and cannot be undone: add --yes.');
      const api = await apiFor(command);
      const userId = await userIdOf(api, user, options.id);
      await api.deleteUser(userId);
      show({ deleted: userId }, () => `Deleted ${user}.`);
    });

  program
    .command('codes')
    .description('enrollment codes (Temporary Access Pass)')
    .command('issue')
    .description('issue a code with which a user registers a key')
    .argument('<user>', 'username (or id with --id)')
    .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
    .option('--lifetime <duration>', 'how long it is valid, 10m to 30d (default 1h)', parseDuration)
    .option('--multi-use', 'valid for several registrations within its lifetime (default: one)')
    .action(async (user: string, options: { id?: boolean; lifetime?: number; multiUse?: boolean }, command: Command) => {
      const api = await apiFor(command);
      const target = options.id ? await api.getUser(user) : await api.findUser(user);
      const issued = await api.issueCode(target.id, {
        ...(options.lifetime === undefined ? {} : { lifetimeSeconds: options.lifetime }),
        oneTime: !options.multiUse,
      });
      show(issued, (value, renderer) => renderCode(value, target, !options.multiUse, renderer));
    });

  const keys = program.command('keys').description('a user\'s keys');
  keys
    .command('list')
    .description('list a user\'s keys')
    .argument('<user>', 'username (or id with --id)')
    .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
    .action(async (user: string, options: { id?: boolean }, command: Command) => {
      const api = await apiFor(command);
      show((await api.listKeys(await userIdOf(api, user, options.id))).credentials, renderKeys);
    });
  keys
    .command('delete')
    .description('delete one of a user\'s keys (lost, stolen or suspect); it can never sign in again')
    .argument('<user>', 'username (or id with --id)')
    .argument('<credentialId>')
    .option('--id', '<user> is a user id (an id starting with "-" goes after "--")')
    .action(async (user: string, credentialId: string, options: { id?: boolean }, command: Command) => {
      const api = await apiFor(command);
      await api.deleteKey(await userIdOf(api, user, options.id), credentialId);
      show({ deleted: credentialId }, () => `Deleted key ${credentialId}.`);
    });

  /** Set by a command whose request succeeded but whose news is bad (a stale or refused BLOB). */
  let outcome: number = exitCodes.ok;
  const metadata = program.command('metadata').description('FIDO Metadata Service: the BLOB in use, and refreshing it');
  metadata
    .command('status')
    .description('BLOB number, next update, entry count and the last refresh result')
    .action(async (_options: unknown, command: Command) => {
      const status = metadataStatusSchema.parse(await (await apiFor(command)).metadataStatus());
      show(status, formatMetadataStatus);
      if (status.stale) outcome = exitCodes.failed;
    });
  metadata
    .command('refresh')
    .description('download and verify the BLOB now, store it if newer, flag keys of compromised models')
    .action(async (_options: unknown, command: Command) => {
      const result = metadataRefreshResultSchema.parse(await (await apiFor(command)).refreshMetadata());
      show(result, formatRefreshResult);
      // A refused or unreachable BLOB is a failure a script should notice.
      if (result.outcome === 'refused' || result.outcome === 'unavailable') outcome = exitCodes.failed;
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return exitCodes.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return outcome;
  } catch (error) {
    return reportFailure(error, io);
  }
};

/** One line on standard error saying what went wrong, and the exit code for it. */
const reportFailure = (error: unknown, io: CliIo): number => {
  const fail = (message: string, code: number) => {
    io.stderr(`${message}\n`);
    return code;
  };
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help) already.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (error instanceof AdminApiError) {
    return fail(`Error: ${error.message} (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})`, exitCodes.failed);
  }
  if (error instanceof SafetyRefusal) return fail(error.message, exitCodes.refused);
  if (error instanceof UsageError) return fail(`Error: ${error.message}`, exitCodes.usage);
  if (error instanceof ConnectionError || error instanceof StageLookupError) return fail(`Error: ${error.message}`, exitCodes.failed);
  return fail(`Error: ${error instanceof Error ? error.message : String(error)}`, exitCodes.failed);
};
