// What residents see of neighbouring councils: on a service's public page, when an admin has
// switched it on, the last day's items from neighbours' feeds about that service — their words,
// their links, clearly theirs, and never mixed into our own statuses or counts
// (src/components/NeighboursSaying.astro shows them).
import { getDb } from '../server/db.ts';
import type { ServiceRow } from '../services/repository.ts';
import { listNeighboursSaying, type NeighbourSaying } from './saying.ts';

export type { NeighbourSaying } from './saying.ts';

/**
 * The public service page's section: its items, or null when the service does not show it.
 * The service row is the page's own (published content, current): with the switch off — most
 * services — there is nothing to read.
 */
export async function loadNeighboursSaying(service: Pick<ServiceRow, 'slug' | 'showNeighbours'>, now: Date): Promise<NeighbourSaying[] | null> {
  if (!service.showNeighbours) return null;
  return listNeighboursSaying(await getDb(), service.slug, now);
}
