import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileEventPublisher } from '../../../shared/adapters/local/file-event-publisher.ts';
import { toPublishedEvent } from '../../../shared/events/published-event.ts';
import { signInFailed } from '../../support/sample-events.ts';
import { readEventsFile } from '../../support/event-schema.ts';

const temporaryFile = () => join(mkdtempSync(join(tmpdir(), 'latchkey-publisher-')), 'nested', 'events.jsonl');

describe('file event publisher', () => {
  it('appends one EventBridge event JSON per line, creating the folder', async () => {
    const path = temporaryFile();
    const events = [toPublishedEvent(signInFailed()), toPublishedEvent(signInFailed())];

    const result = await createFileEventPublisher(path).publish(events);

    expect(result).toEqual({ failed: [] });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(await readEventsFile(path)).toEqual(events);
  });

  it('keeps concurrent batches on whole lines', async () => {
    const path = temporaryFile();
    const publisher = createFileEventPublisher(path);
    const batches = Array.from({ length: 20 }, () => Array.from({ length: 5 }, () => toPublishedEvent(signInFailed())));

    await Promise.all(batches.map((batch) => publisher.publish(batch)));

    expect((await readEventsFile(path)).map((event) => event.id).sort()).toEqual(batches.flat().map((event) => event.id).sort());
  });

  it('does not write an event again that it has just written, even after a restart', async () => {
    const path = temporaryFile();
    const first = [toPublishedEvent(signInFailed()), toPublishedEvent(signInFailed())];
    await createFileEventPublisher(path).publish(first);
    // A torn last line, as a crash in the middle of a write could leave.
    appendFileSync(path, '{"id":"torn');
    writeFileSync(path, readFileSync(path, 'utf8') + '\n');
    const later = toPublishedEvent(signInFailed());

    const result = await createFileEventPublisher(path).publish([...first, later, later]);

    expect(result).toEqual({ failed: [] });
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.startsWith('{"id":"') && line.endsWith('}'));
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([...first, later].map((event) => event.id));
  });

  it('reports every event as failed when the file cannot be written', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-publisher-'));
    const events = [toPublishedEvent(signInFailed())];

    const result = await createFileEventPublisher(directory).publish(events);

    expect(result.failed).toMatchObject([{ event: events[0], errorCode: 'LocalWriteFailed' }]);
  });
});
