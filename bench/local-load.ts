import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';

/**
 * Full sign-in ceremonies (options + verify) per second against the local stage, with a
 * software authenticator, at several concurrency levels; p50/p99 per ceremony; errors; and
 * the Sign-In Succeeded events counted in the events file afterwards. The floor, measured in
 * the same run and the same server: GET /.well-known/jwks.json at the same concurrency.
 */
export interface LoadLevel {
  concurrency: number;
  ceremonies: number;
  ceremoniesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  floorRequestsPerSecond: number;
}

export interface LoadResult {
  levels: LoadLevel[];
  signIns: number;
  signInEvents: number;
}

const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

const startStageProcess = async (): Promise<{ url: string; eventsFile: string; stop(): Promise<void> }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stage-process.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The stage process exited with ${code}`)));
  });
  const { url, eventsFile } = JSON.parse(line) as { url: string; eventsFile: string };
  return {
    url,
    eventsFile,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
};

const post = async (url: string, body: unknown) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
};

export const measureLocalLoad = async (options: { levels?: number[]; ceremoniesPerLevel?: number } = {}): Promise<LoadResult> => {
  const levels = options.levels ?? [1, 4, 16];
  const perLevel = options.ceremoniesPerLevel ?? 200;
  const stage = await startStageProcess();
  try {
    // One user per worker: a key's counter must rise in order, so no key signs twice at once.
    const maxWorkers = Math.max(...levels);
    const users: SoftAuthenticator[] = [];
    for (let index = 0; index < maxWorkers; index++) {
      const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256' });
      const options = await post(`${stage.url}/v1/registration/options`, { username: `load-${index}` });
      const verified = await post(`${stage.url}/v1/registration/verify`, { response: authenticator.register(options.body.options) });
      if (verified.status !== 201) throw new Error(`Enrolling load user ${index} failed: ${JSON.stringify(verified.body)}`);
      users.push(authenticator);
    }

    const results: LoadLevel[] = [];
    let signIns = 0;
    for (const concurrency of levels) {
      // Floor: the same server and handler chain, no crypto and no table.
      let floorRemaining = perLevel * 2;
      const floorStarted = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (floorRemaining-- > 0) await (await fetch(`${stage.url}/.well-known/jwks.json`)).arrayBuffer();
        }),
      );
      const floorRequestsPerSecond = (perLevel * 2) / ((performance.now() - floorStarted) / 1000);

      let remaining = perLevel;
      let errors = 0;
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          const authenticator = users[worker]!;
          while (remaining-- > 0) {
            const ceremonyStarted = performance.now();
            const options = await post(`${stage.url}/v1/authentication/options`, {});
            const verified = await post(`${stage.url}/v1/authentication/verify`, { response: authenticator.authenticate(options.body.options) });
            latencies.push(performance.now() - ceremonyStarted);
            if (verified.status === 200) signIns += 1;
            else errors += 1;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      results.push({
        concurrency,
        ceremonies: latencies.length,
        ceremoniesPerSecond: latencies.length / seconds,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        errors,
        floorRequestsPerSecond,
      });
    }

    // Every sign-in must reach the audit log: count them once the relay has caught up.
    const countSignInEvents = async () =>
      (await readFile(stage.eventsFile, 'utf8').catch(() => '')).split('\n').filter((line) => line.includes('"detail-type":"Sign-In Succeeded"')).length;
    const deadline = Date.now() + 30_000;
    let signInEvents = await countSignInEvents();
    while (signInEvents < signIns && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      signInEvents = await countSignInEvents();
    }
    return { levels: results, signIns, signInEvents };
  } finally {
    await stage.stop();
  }
};
