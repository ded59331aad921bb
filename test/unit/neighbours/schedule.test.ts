// The background poll starts once per process, and not at all when the interval is 0.
import { afterEach, describe, expect, it } from 'vitest';
import { startNeighbourPolling, stopNeighbourPolling } from '../../../src/lib/neighbours/schedule.ts';
import type { Database } from '../../../src/lib/server/database.ts';

// Never touched: the job is stopped long before its first tick.
const db = {} as Database;

afterEach(() => stopNeighbourPolling());

describe('startNeighbourPolling', () => {
  it('does nothing when polling is off (NEIGHBOUR_POLL_MINUTES=0)', () => {
    expect(startNeighbourPolling(db, { intervalMinutes: 0, allowPrivateAddresses: false })).toBeNull();
  });

  it('starts one job per process, however often it is called', () => {
    const first = startNeighbourPolling(db, { intervalMinutes: 10, allowPrivateAddresses: false });
    const second = startNeighbourPolling(db, { intervalMinutes: 5, allowPrivateAddresses: false });
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(first!.isRunning()).toBe(true);
  });
});
