import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStage } from '../local/stage.ts';

/**
 * The local stage in its own process for the load benchmark, so the load generator does not
 * share an event loop with the server: in-memory DynamoDB Local, a temporary data folder.
 * Prints one JSON line with the URL and events file, then runs until stdin closes.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const dataDirectory = mkdtempSync(join(tmpdir(), 'latchkey-load-'));
const stage = await startLocalStage({ port: 0, inMemory: true, dataDirectory, environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
process.stdout.write(`${JSON.stringify({ url: stage.url, eventsFile: stage.eventsFile })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void stage.stop().then(() => process.exit(0));
});
