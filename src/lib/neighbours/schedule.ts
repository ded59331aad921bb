// The background poll of neighbours' feeds, once per server process. A croner job ticks every
// minute and polls the sources that are due (each source keeps its own next-poll time, so a
// failing feed backs off without slowing the others); sources are claimed before polling, so
// several processes sharing one database share the work instead of repeating it.
import { Cron } from 'croner';
import type { Database } from '../server/database.ts';
import { pollAllSources } from './poll.ts';

export interface NeighbourPollingOptions {
  /** Minutes between polls of each source (NEIGHBOUR_POLL_MINUTES); 0 turns polling off. */
  intervalMinutes: number;
  /** Only for the offline demo and tests (NEIGHBOUR_FEEDS_ALLOW_PRIVATE); never in production. */
  allowPrivateAddresses: boolean;
}

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
    { name: 'neighbour-feeds', protect: true, unref: true, catch: (error) => console.error('Polling neighbours’ feeds failed:', error) },
    async () => {
      await pollAllSources(db, {
        intervalMinutes: options.intervalMinutes,
        fetch: { allowPrivateAddresses: options.allowPrivateAddresses },
      });
    },
  );
  return job;
}

/** Stops this process's polling (tests, shutdown). */
export function stopNeighbourPolling(): void {
  job?.stop();
  job = null;
}
