// The statuses a service's places can be given: the service's own set (an admin chooses it: a
// gritting route is "open", "disrupted" or "closed", never "opening late"), or all of them. Pure.
import { PLACE_STATUSES, type PlaceStatus } from '../../../db/schema/index.ts';

export interface HasStatusSet {
  /** Null: every status. */
  statuses: readonly PlaceStatus[] | null;
}

/**
 * The statuses to offer, in `order`: the service's set, plus "unknown" (what a status lapses
 * to) and `keep` (a place's current status, so editing it never silently changes it).
 */
export function allowedStatuses(service: HasStatusSet, order: readonly PlaceStatus[] = PLACE_STATUSES, keep?: PlaceStatus): PlaceStatus[] {
  return order.filter((s) => service.statuses === null || service.statuses.includes(s) || s === 'unknown' || s === keep);
}

export function isStatusAllowed(service: HasStatusSet, status: PlaceStatus, keep?: PlaceStatus): boolean {
  return allowedStatuses(service, PLACE_STATUSES, keep).includes(status);
}
