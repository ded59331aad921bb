// The background poll of neighbours' feeds, once per server process. A croner job ticks every
// minute and polls the sources that are due (each source keeps its own next-poll time, so a
// failing feed backs off without slowing the others); sources are claimed before polling, so
// several processes sharing one database share the work instead of repeating it.
// Each tick writes one "job" log line (sources polled, errors, ms).
import { Cron } from 'croner';
import { logEvent } from '../logging/log.ts';
import type { Database } from '../server/database.ts';
import { stopFeedParser } from './parse-off-thread.ts';
import { pollAllSources, type PollSourceResult } from './poll.ts';

export interface NeighbourPollingOptions {
  /** Minutes between polls of each source (NEIGHBOUR_POLL_MINUTES); 0 turns polling off. */
  intervalMinutes: number;
  /** Only for the offline demo and tests (NEIGHBOUR_FEEDS_ALLOW_PRIVATE); never in production. */
  allowPrivateAddresses: boolean;
}

const JOB_NAME = 'neighbour-feeds';
let job: Cron | null = null;

/**
 * Starts polling in this process, once: later calls return the job already running. Returns
 * null when polling is off. The timer does not keep the process alive, and a failed round is
 * logged, never thrown.
 */
export function startNeighbourPolling(db: Database, options: NeighbourPollingOptions): Cron | null {
  if (job) return job;
  if (!Number.isFinite(options.intervalMinutes) || options.intervalMinutes <= 0) return null;
  job = new Cron(
    '0 * * * * *',
    {
      name: JOB_NAME,
      protect: true,
      unref: true,
      catch: (error) => logEvent('error', 'job', { job: JOB_NAME, ok: false, error }),
    },
    async () => {
      const startedAt = performance.now();
      const results = await pollAllSources(db, {
        intervalMinutes: options.intervalMinutes,
        fetch: { allowPrivateAddresses: options.allowPrivateAddresses },
      });
      // Every tick writes its line, "sources": 0 included: the log shows the job is alive.
      logEvent(jobLevel(results), 'job', jobFields(results, performance.now() - startedAt));
    },
  );
  return job;
}

function jobLevel(results: readonly PollSourceResult[]): 'info' | 'warn' {
  return results.some((r) => r.error !== null) ? 'warn' : 'info';
}

/** The fields of one polling round's log line. */
export function jobFields(results: readonly PollSourceResult[], ms: number): Record<string, unknown> {
  const failed = results.filter((r) => r.error !== null);
  return {
    job: JOB_NAME,
    ms: Math.round(ms * 10) / 10,
    sources: results.length,
    errors: failed.length,
    new: results.reduce((sum, r) => sum + r.new, 0),
    updated: results.reduce((sum, r) => sum + r.updated, 0),
    // Earlier CAP alerts closed by the updates and cancellations read this round.
    closed: results.reduce((sum, r) => sum + (r.closed ?? 0), 0),
    // Which feeds failed and why (plain words, as stored on the source; no feed contents).
    failures: failed.map((r) => ({ sourceId: r.source.id, ...('councilName' in r.source ? { council: r.source.councilName } : {}), error: r.error })),
    // What the reader repaired or left out, per feed (a wrong encoding, items beyond the limit).
    notes: results
      .filter((r) => (r.notes ?? []).length > 0)
      .map((r) => ({ sourceId: r.source.id, ...('councilName' in r.source ? { council: r.source.councilName } : {}), notes: r.notes })),
  };
}

/** Stops this process's polling (tests, shutdown). */
export function stopNeighbourPolling(): void {
  job?.stop();
  job = null;
  stopFeedParser();
}
