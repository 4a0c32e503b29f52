import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detailTypes } from '../../shared/events/catalog.ts';
import { toPublishedEvent } from '../../shared/events/published-event.ts';
import { EventSchemaError, parsePublishedEvent, readEventsFile } from './event-schema.ts';
import { sampleEvent } from './sample-events.ts';

describe('parsePublishedEvent', () => {
  it.each(detailTypes)('accepts a valid "%s" event', (detailType) => {
    const event = toPublishedEvent(sampleEvent(detailType));

    expect(parsePublishedEvent(event)).toEqual(event);
  });

  it('accepts the fields EventBridge adds around the detail', () => {
    const event = { version: '0', account: '123456789012', region: 'eu-west-1', resources: [], ...toPublishedEvent(sampleEvent('Sign-In Succeeded')) };

    expect(() => parsePublishedEvent(event)).not.toThrow();
  });

  it('names the field that breaks the detail-type schema', () => {
    const event = toPublishedEvent(sampleEvent('Sign-In Succeeded'));
    const broken = { ...event, detail: { ...event.detail, credential: { ...event.detail.credential, publicKey: 'pQECAyYgASFYIA' } } };

    expect(() => parsePublishedEvent(broken)).toThrow(/Sign-In Succeeded.*detail\.credential/);
  });

  it('refuses an unknown detail-type and a foreign source', () => {
    const event = toPublishedEvent(sampleEvent('Sign-In Failed'));

    expect(() => parsePublishedEvent({ ...event, 'detail-type': 'Sign-In Maybe' })).toThrow(EventSchemaError);
    expect(() => parsePublishedEvent({ ...event, source: 'aws.events' })).toThrow(/source/);
  });

  it('reads and checks every line of an events file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-events-'));
    const path = join(directory, 'events.jsonl');
    const events = detailTypes.map((detailType) => toPublishedEvent(sampleEvent(detailType)));
    writeFileSync(path, events.map((event) => JSON.stringify(event)).join('\n') + '\n');

    expect(await readEventsFile(path)).toEqual(events);
    expect(await readEventsFile(join(directory, 'missing.jsonl'))).toEqual([]);

    writeFileSync(path, `${JSON.stringify(events[0])}\n{"detail-type":"Sign-In Failed"}\n`);
    await expect(readEventsFile(path)).rejects.toThrow(/line 2/);
  });
});
