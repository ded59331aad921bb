// `npm run feeds:poll`: reads every unpaused neighbour feed once, now, and prints one line per
// feed ("Rochdale Council — School closures: 3 new, 2 unchanged" or "…: error: <why>"). A
// broken feed is reported, not fatal: the exit code is 1 only when the database cannot be
// opened. Reads DATABASE_URL, DATABASE_AUTH_TOKEN, NEIGHBOUR_POLL_MINUTES (for the next-poll
// times it records) and NEIGHBOUR_FEEDS_ALLOW_PRIVATE (offline demo and tests only).
import { pollAllSources, DEFAULT_POLL_MINUTES, type PollSourceResult } from '../lib/neighbours/poll.ts';
import type { NeighbourSourceListing } from '../lib/neighbours/repository.ts';
import { openScriptDatabase } from './open-script-database.ts';

function describe(result: PollSourceResult<NeighbourSourceListing>): string {
  const name = `${result.source.councilName} — ${result.source.title}`;
  if (result.error) return `${name}: error: ${result.error}`;
  const counts = `${result.new} new, ${result.unchanged} unchanged${result.updated > 0 ? `, ${result.updated} updated` : ''}`;
  return `${name}: ${counts}${result.notModified ? ' (not changed since the last check)' : ''}`;
}

const minutes = Number(process.env.NEIGHBOUR_POLL_MINUTES ?? DEFAULT_POLL_MINUTES);
const handle = await openScriptDatabase();
try {
  const results = await pollAllSources(handle.db, {
    all: true,
    intervalMinutes: Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_POLL_MINUTES,
    fetch: { allowPrivateAddresses: process.env.NEIGHBOUR_FEEDS_ALLOW_PRIVATE === 'true' },
  });
  if (results.length === 0) console.log('There are no neighbour feeds to read (none added, or all paused).');
  for (const result of results) console.log(describe(result));
} finally {
  handle.client.close();
}
