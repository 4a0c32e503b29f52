import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';

/**
 * `npm run bench:profile`: a CPU profile of the local stage while it serves sign-ins, summarised
 * by package (self time), for docs/performance.md's "what dominates". The raw .cpuprofile stays
 * in bench/profiles/ (open it in Chrome DevTools).
 */
const profileDirectory = fileURLToPath(new URL('./profiles/', import.meta.url));
rmSync(profileDirectory, { recursive: true, force: true });
mkdirSync(profileDirectory, { recursive: true });

const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`, '--import', 'tsx', fileURLToPath(new URL('./stage-process.ts', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
const { url } = JSON.parse(line) as { url: string };
const post = async (path: string, body: unknown) =>
  (await (await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as any;

const authenticator = new SoftAuthenticator({ origin: url, algorithm: 'ES256' });
const registration = await post('/v1/registration/options', { username: 'profiled' });
await post('/v1/registration/verify', { response: authenticator.register(registration.options) });
const signIns = Number(process.argv[2] ?? 400);
for (let index = 0; index < signIns; index++) {
  const { options } = await post('/v1/authentication/options', {});
  const result = await post('/v1/authentication/verify', { response: authenticator.authenticate(options) });
  if (!result.accessToken) throw new Error(`Sign-in ${index} failed: ${JSON.stringify(result)}`);
}
await new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.stdin!.end();
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
const file = readdirSync(profileDirectory).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('No profile written');
const profile = JSON.parse(readFileSync(`${profileDirectory}${file}`, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byGroup = new Map<string, number>();
profile.samples.forEach((id, index) => {
  const frame = nodes.get(id)?.callFrame;
  const url = frame?.url ?? '';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  const group = dependency ?? (url.includes('/work/') || url.startsWith('file://') ? `latchkey ${url.split('/').slice(-2).join('/')}` : `(${frame?.functionName || 'native'})`);
  byGroup.set(group, (byGroup.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const idle = byGroup.get('((idle))') ?? 0;
byGroup.delete('((idle))');
const total = [...byGroup.values()].reduce((sum, value) => sum + value, 0);
console.log(
  `Busy self time while serving ${signIns} sign-ins (options + verify): ${(total / 1000).toFixed(0)} ms busy, ` +
    `${(idle / 1000).toFixed(0)} ms idle (waiting on DynamoDB Local and the client)`,
);
for (const [group, micros] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)} %  ${group}`);
}
console.log(`Profile: ${profileDirectory}${file}`);
