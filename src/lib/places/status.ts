// Place statuses as residents see them, including the rule that a status set "until" a time
// lapses to "not confirmed since …" — never silently back to "open".
import type { PlaceStatus } from '../../../db/schema/index.ts';
import type { StatusReason } from '../revisions/content.ts';
import { formatDay, formatTime, londonDateKey, toLondonLocalInput } from '../time/london.ts';

export { PLACE_STATUSES, STATUS_REASONS, type PlaceStatus } from '../../../db/schema/index.ts';
export type { StatusReason } from '../revisions/content.ts';

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

/** What each reason reads as, to residents and staff alike. */
export const STATUS_REASON_LABEL: Record<StatusReason, string> = {
  snow_and_ice: 'Snow and ice',
  heating_failure: 'Heating failure',
  staff_shortage: 'Staff shortage',
  flooding: 'Flooding',
  other: 'Other',
};

export function isStatusReason(value: string): value is StatusReason {
  return Object.hasOwn(STATUS_REASON_LABEL, value);
}

/**
 * When a place expects to reopen, in words: "today at 1:30pm", "tomorrow at 9:00am",
 * "Wednesday at 9:00am" within the week, "Wednesday 9 December at 9:00am" beyond it. A time of
 * midnight is read as the day alone ("Wednesday"): the day is what staff usually know. With no
 * `now` (text read later, in a feed) the day is always given in full.
 */
export function formatReopening(date: Date, now: Date | null): string {
  const day = londonDateKey(date);
  const daysAhead = now ? Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${londonDateKey(now)}T00:00:00Z`)) / 86_400_000) : -1;
  const dayWords =
    daysAhead === 0 ? 'today'
    : daysAhead === 1 ? 'tomorrow'
    : daysAhead > 1 && daysAhead < 7 ? formatDay(date).split(' ')[0]!
    : formatDay(date);
  const midnight = toLondonLocalInput(date).endsWith('T00:00');
  return midnight ? dayWords : `${dayWords} at ${formatTime(date)}`;
}

export interface StatusDetailsFields {
  statusReason: StatusReason | null;
  expectedReopeningAt: Date | null;
}

/**
 * The line residents read under a status: "Reason: Snow and ice. Expected to reopen:
 * Wednesday", or null when there is nothing to add. Nothing once the status has lapsed (it is no
 * longer vouched for), no reopening time once it has passed, and no "Other" reason (the note
 * says what it is).
 */
export function describeStatusDetails(place: StatusDetailsFields, effective: Pick<EffectiveStatus, 'lapsed'>, now: Date): string | null {
  if (effective.lapsed) return null;
  const parts: string[] = [];
  if (place.statusReason && place.statusReason !== 'other') parts.push(`Reason: ${STATUS_REASON_LABEL[place.statusReason]}`);
  if (place.expectedReopeningAt && place.expectedReopeningAt.getTime() > now.getTime()) {
    const when = formatReopening(place.expectedReopeningAt, now);
    parts.push(`Expected to reopen: ${when.charAt(0).toUpperCase()}${when.slice(1)}`);
  }
  return parts.length > 0 ? parts.join('. ') : null;
}
