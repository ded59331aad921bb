// Place statuses as residents see them, including the rule that a status set "until" a time
// lapses to "not confirmed since …" — never silently back to "open".
import type { PlaceStatus } from '../../../db/schema/index.ts';

export { PLACE_STATUSES, type PlaceStatus } from '../../../db/schema/index.ts';

export interface StatusPresentation {
  label: string;
  /** GOV.UK tag colour modifier. */
  tagClass: string;
}

export const STATUS_PRESENTATION: Record<PlaceStatus, StatusPresentation> = {
  open: { label: 'Open', tagClass: 'govuk-tag--green' },
  closed: { label: 'Closed', tagClass: 'govuk-tag--red' },
  partially_open: { label: 'Partially open', tagClass: 'govuk-tag--orange' },
  opening_late: { label: 'Opening late', tagClass: 'govuk-tag--yellow' },
  closing_early: { label: 'Closing early', tagClass: 'govuk-tag--yellow' },
  disrupted: { label: 'Disrupted', tagClass: 'govuk-tag--orange' },
  unknown: { label: 'Not confirmed', tagClass: 'govuk-tag--grey' },
};

/** Display order for counts and filters: the statuses that need action first. */
export const STATUS_ORDER: readonly PlaceStatus[] = [
  'closed', 'partially_open', 'opening_late', 'closing_early', 'disrupted', 'open', 'unknown',
];

export interface StatusFields {
  status: PlaceStatus;
  statusUntil: Date | null;
  confirmedAt: Date | null;
}

export interface EffectiveStatus {
  status: PlaceStatus;
  /** True when a status set "until" a time has passed that time. */
  lapsed: boolean;
  /** The status that lapsed, for "was: Closed". */
  lapsedFrom: PlaceStatus | null;
  /** When it lapsed (the "until" time that passed), for "not confirmed since …". */
  lapsedAt?: Date | null;
  confirmedAt: Date | null;
}

/** What a resident should be told right now about a place's status. */
export function effectiveStatus(place: StatusFields, now: Date): EffectiveStatus {
  if (place.statusUntil && place.statusUntil.getTime() <= now.getTime()) {
    return { status: 'unknown', lapsed: true, lapsedFrom: place.status, lapsedAt: place.statusUntil, confirmedAt: place.confirmedAt };
  }
  return { status: place.status, lapsed: false, lapsedFrom: null, lapsedAt: null, confirmedAt: place.confirmedAt };
}

export function isPlaceStatus(value: string): value is PlaceStatus {
  return Object.hasOwn(STATUS_PRESENTATION, value);
}
