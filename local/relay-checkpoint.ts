import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from '../shared/zod.ts';

/**
 * Where the local relay is in each shard of one stream. `after`: every record up to and
 * including this sequence number is published. `done`: records beyond `after` that are
 * published too (a failed record before them is still being retried). `finished`: a closed
 * shard read to its end, so its children may start.
 */
const shardCheckpointSchema = z.object({
  after: z.optional(z.string()),
  done: z.array(z.string()),
  finished: z.boolean(),
});

const checkpointSchema = z.object({
  version: z.literal(1),
  streamArn: z.string(),
  shards: z.record(z.string(), shardCheckpointSchema),
});

export type ShardCheckpoint = z.infer<typeof shardCheckpointSchema>;
export type RelayCheckpoint = z.infer<typeof checkpointSchema>;

export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
}

/** Stream sequence numbers are decimal strings of up to 40 digits: compare them as integers. */
export const compareSequenceNumbers = (left: string, right: string): number => {
  const difference = BigInt(left) - BigInt(right);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
};

export const emptyShardCheckpoint = (): ShardCheckpoint => ({ done: [], finished: false });

/**
 * The checkpoint for this stream. A checkpoint of another stream (the table was recreated,
 * or DynamoDB Local ran in memory) says nothing about this one: start from the beginning.
 */
export const readCheckpoint = async (path: string, streamArn: string): Promise<RelayCheckpoint> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, streamArn, shards: {} };
    throw error;
  }
  let parsed;
  try {
    parsed = checkpointSchema.safeParse(JSON.parse(text));
  } catch (cause) {
    throw new CheckpointFileError(`${path} is not JSON; move it away to relay the stream from its start`, { cause });
  }
  // Ensure a damaged checkpoint stops the relay instead of silently re-publishing everything.
  if (!parsed.success) throw new CheckpointFileError(`${path} is not a relay checkpoint: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.streamArn === streamArn ? parsed.data : { version: 1, streamArn, shards: {} };
};

/** Replaces the checkpoint atomically: a crash leaves the old one or the new one, never half. */
export const writeCheckpoint = async (path: string, checkpoint: RelayCheckpoint): Promise<void> => {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
};
