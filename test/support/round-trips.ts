import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface RoundTrip {
  command: string;
  startedAt: number;
  endedAt: number;
}

/**
 * Records every request a DocumentClient sends, with when it started and ended, so a test or
 * the benchmark can count round trips and how many of them had to wait on another.
 */
export const recordRoundTrips = (client: DynamoDBDocumentClient) => {
  const trips: RoundTrip[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const startedAt = performance.now();
      try {
        return await next(args);
      } finally {
        trips.push({ command: String(context.commandName), startedAt, endedAt: performance.now() });
      }
    },
    { step: 'initialize', name: 'roundTripRecorder' },
  );
  return {
    trips,
    reset: () => trips.splice(0),
  };
};

/**
 * The longest chain of requests each of which started after the previous one ended: the
 * number of round trips a caller waits for one after another.
 */
export const sequentialDepth = (trips: RoundTrip[]): number => {
  const sorted = [...trips].sort((a, b) => a.endedAt - b.endedAt);
  const depth: number[] = [];
  sorted.forEach((trip, index) => {
    const before = sorted.slice(0, index).filter((earlier) => earlier.endedAt <= trip.startedAt);
    depth[index] = 1 + Math.max(0, ...before.map((earlier) => depth[sorted.indexOf(earlier)] ?? 0));
  });
  return Math.max(0, ...depth);
};
