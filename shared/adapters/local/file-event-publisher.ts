import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from '../../zod.ts';
import type { PublishedEvent } from '../../events/catalog.ts';
import type { EventPublisher } from '../../ports.ts';

export interface FileEventPublisherSettings {
  /** How many recent event ids to remember so a re-delivery is not written twice. */
  recentIdLimit?: number;
  /** How much of an existing file's end to read for those ids at start. */
  tailBytes?: number;
}

const lineSchema = z.object({ id: z.string() });

/** The ids of the events at the end of an existing file (a torn first line is skipped). */
const readRecentIds = async (path: string, tailBytes: number): Promise<string[]> => {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - tailBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer
      .toString('utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const parsed = lineSchema.safeParse(JSON.parse(line));
          return parsed.success ? [parsed.data.id] : [];
        } catch {
          return [];
        }
      });
  } finally {
    await handle.close();
  }
};

/**
 * The local stage's EventBridge: appends one EventBridge event JSON per line and fsyncs
 * before it reports success. It skips events whose id it has just written, which closes the
 * window in which a killed relay had written a batch but not yet its checkpoint.
 */
export const createFileEventPublisher = (path: string, settings: FileEventPublisherSettings = {}): EventPublisher => {
  const recentIdLimit = settings.recentIdLimit ?? 10_000;
  let recentIds: Set<string> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const remember = (ids: Set<string>, id: string) => {
    ids.add(id);
    if (ids.size > recentIdLimit) ids.delete(ids.values().next().value as string);
  };

  /** The ids written lately, read from the file's end the first time. */
  const knownIds = async (): Promise<Set<string>> => {
    if (recentIds) return recentIds;
    await mkdir(dirname(path), { recursive: true });
    const ids = new Set<string>();
    for (const id of await readRecentIds(path, settings.tailBytes ?? 1024 * 1024)) remember(ids, id);
    return (recentIds = ids);
  };

  const append = async (events: PublishedEvent[]) => {
    let fresh: PublishedEvent[] = events;
    try {
      const ids = await knownIds();
      const batchIds = new Set<string>();
      fresh = events.filter((event) => {
        if (ids.has(event.id) || batchIds.has(event.id)) return false;
        batchIds.add(event.id);
        return true;
      });
      if (fresh.length === 0) return { failed: [] };
      const handle = await open(path, 'a');
      try {
        await handle.writeFile(fresh.map((event) => `${JSON.stringify(event)}\n`).join(''), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      for (const event of fresh) remember(ids, event.id);
      return { failed: [] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { failed: fresh.map((event) => ({ event, errorCode: 'LocalWriteFailed', errorMessage: message })) };
    }
  };

  return {
    publish(events) {
      // One append at a time: lines never interleave and the id memory stays exact.
      const result = queue.then(() => append(events));
      queue = result.catch(() => undefined);
      return result;
    },
  };
};
