import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointFileError, compareSequenceNumbers, readCheckpoint, writeCheckpoint } from '../../../local/relay-checkpoint.ts';

const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000';

describe('relay checkpoint', () => {
  it('compares sequence numbers as integers of any length', () => {
    expect(compareSequenceNumbers('000000000000000000009', '000000000000000000010')).toBe(-1);
    expect(compareSequenceNumbers('49668271391513012345678901234567890123456', '9')).toBe(1);
    expect(compareSequenceNumbers('0010', '10')).toBe(0);
  });

  it('round-trips through its file, replaced atomically', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-'));
    const path = join(directory, 'relay-checkpoint.json');
    const checkpoint = { version: 1 as const, streamArn, shards: { 'shardId-1': { after: '000000000000000000042', done: ['000000000000000000044'], finished: false } } };

    await writeCheckpoint(path, checkpoint);

    expect(await readCheckpoint(path, streamArn)).toEqual(checkpoint);
    expect(readdirSync(directory)).toEqual(['relay-checkpoint.json']);
  });

  it('starts empty without a file, or for another stream', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-'));
    const path = join(directory, 'relay-checkpoint.json');
    await writeCheckpoint(path, { version: 1, streamArn: `${streamArn}-old`, shards: { s: { after: '5', done: [], finished: true } } });

    expect(await readCheckpoint(join(directory, 'none.json'), streamArn)).toEqual({ version: 1, streamArn, shards: {} });
    expect(await readCheckpoint(path, streamArn)).toEqual({ version: 1, streamArn, shards: {} });
  });

  it('refuses a damaged file rather than relaying everything again', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-'));
    const path = join(directory, 'relay-checkpoint.json');
    writeFileSync(path, '{"version":1,"streamArn":');

    await expect(readCheckpoint(path, streamArn)).rejects.toThrow(CheckpointFileError);
  });
});
