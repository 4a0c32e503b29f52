import { describe, it, expect, inject } from 'vitest';
import { measureRelayThroughput } from '../../bench/relay-throughput.ts';

describe('relay throughput bench hook', () => {
  it('relays N outbox items through the local relay and reports events per second', async () => {
    const result = await measureRelayThroughput({ events: 200, dynamodbEndpoint: inject('dynamodbEndpoint') });

    console.log(`local relay throughput: ${result.events} events in ${result.seconds.toFixed(2)} s = ${result.eventsPerSecond.toFixed(0)} events/s`);
    expect(result.events).toBe(200);
    expect(result.eventsPerSecond).toBeGreaterThan(0);
  });
});
