import { exitCodes, runAdminCli } from './program.ts';

// Node 20 runs here by design (Lambda runs 22); the SDK's notice about it is noise in a CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** `npm run admin -- <command>`: see docs/admin.md. */
runAdminCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  colorful: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  readStdin,
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = exitCodes.failed;
  });
