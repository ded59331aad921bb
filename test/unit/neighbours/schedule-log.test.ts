// The polling job's log line: how many sources, how many failed and why, how long it took.
import { describe, expect, it } from 'vitest';
import { jobFields } from '../../../src/lib/neighbours/schedule.ts';
import type { PollSourceResult } from '../../../src/lib/neighbours/poll.ts';

function result(id: number, error: string | null, counts = { new: 0, updated: 0 }, notes: string[] = []): PollSourceResult {
  return { source: { id, councilName: `Council ${id}` } as unknown as PollSourceResult['source'], unchanged: 0, closed: 0, notModified: false, error, notes, ...counts };
}

describe('jobFields', () => {
  it('counts the sources polled, the failures with their reasons, and the new items', () => {
    const fields = jobFields([result(1, null, { new: 3, updated: 1 }), result(2, 'The feed did not answer within 10 seconds')], 153.26);
    expect(fields).toEqual({
      job: 'neighbour-feeds',
      ms: 153.3,
      sources: 2,
      errors: 1,
      new: 3,
      updated: 1,
      closed: 0,
      failures: [{ sourceId: 2, council: 'Council 2', error: 'The feed did not answer within 10 seconds' }],
      notes: [],
    });
  });

  it('lists what the reader repaired or left out, per feed', () => {
    const fields = jobFields([result(1, null, { new: 500, updated: 0 }, ['the feed has 20,000 items; only the newest 500 were read']), result(2, null)], 10);
    expect(fields.notes).toEqual([{ sourceId: 1, council: 'Council 1', notes: ['the feed has 20,000 items; only the newest 500 were read'] }]);
  });

  it('says so when nothing was due', () => {
    expect(jobFields([], 0.44)).toMatchObject({ sources: 0, errors: 0, ms: 0.4, failures: [], notes: [] });
  });
});
