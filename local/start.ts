import { JavaMissingError } from './dynamodb-local.ts';
import { startLocalStage } from './stage.ts';

// Node 20 runs here by design (Lambda runs 22); the SDK's notice about it is noise locally.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** `npm start`: the whole backend and the demo page on http://localhost:3000. */
const main = async () => {
  const extraOrigins = (process.env.ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
  const givenToken = process.env.LOCAL_ADMIN_TOKEN;
  const stage = await startLocalStage({
    extraOrigins,
    ...(givenToken ? { adminToken: givenToken } : {}),
    ...(process.env.LOCAL_EVENTS_FILE ? { eventsFile: process.env.LOCAL_EVENTS_FILE } : {}),
  });
  console.log(`Latchkey is running on ${stage.url}`);
  console.log(`  demo app      ${stage.url}/`);
  console.log(`  example API   ${stage.url}/example-api/profile`);
  console.log(`  JWKS          ${stage.url}/.well-known/jwks.json`);
  console.log(`  audit events  ${stage.eventsFile}`);
  console.log(`  admin token   ${givenToken ? '(from LOCAL_ADMIN_TOKEN)' : stage.adminToken}`);
  const metadata = stage.metadata.atStart;
  console.log(
    stage.metadata.enabled && metadata
      ? `  FIDO MDS      ${metadata.outcome}${metadata.reason ? ` (${metadata.reason})` : ''}: ${metadata.detail}`
      : '  FIDO MDS      off: no LOCAL_MDS_BLOB, so no attestation is trusted and key names come from the curated list only (docs/metadata.md)',
  );
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Latchkey and DynamoDB Local…');
    await stage.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
};

main().catch((error: unknown) => {
  if (error instanceof JavaMissingError) console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error(`Port ${process.env.PORT ?? 3000} is in use; set PORT to another one.`);
  else console.error(error);
  process.exit(1);
});
