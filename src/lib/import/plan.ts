// The dry run of a places import: what applying the file would do to one service's places —
// create, change (field by field), withdraw (closed in the register), or leave as they are. Pure.
// The plan holds the full drafts to publish, each change based on the revision it was worked out
// from, so applying it later publishes exactly what the dry run showed (or, for a place someone
// edited in between, nothing: the change set's conflict check leaves it alone).
import type { PlaceDraft } from '../revisions/content.ts';
import { distanceInMiles } from '../geo/distance.ts';
import { slugFromName, type PlaceDetails } from '../places/validation.ts';
import type { ImportRow } from './rows.ts';

export type ImportSource = 'gias' | 'csv';

/** A published place of the service, as the plan compares it. */
export interface ExistingPlace {
  id: number;
  currentRevisionId: number;
  content: PlaceDraft;
}

export interface FieldChange {
  field: keyof PlaceDetails | 'retired';
  label: string;
  before: string;
  after: string;
}

export interface PlannedCreation {
  line: number;
  name: string;
  ward: string;
  draft: PlaceDraft;
}

export interface PlannedChange {
  line: number;
  placeId: number;
  baseRevisionId: number;
  name: string;
  changes: FieldChange[];
  draft: PlaceDraft;
}

export interface PlannedWithdrawal {
  line: number;
  placeId: number;
  baseRevisionId: number;
  name: string;
  draft: PlaceDraft;
}

export interface ImportPlan {
  source: ImportSource;
  serviceId: number;
  created: PlannedCreation[];
  changed: PlannedChange[];
  /** Places the register lists as closed: applying withdraws (retires) them. */
  withdrawn: PlannedWithdrawal[];
  unchanged: number;
  /** Places of the service with a reference number the file does not mention: left alone. */
  notInFile: { placeId: number; name: string }[];
  /** Closed establishments we do not list: nothing to do. */
  closedNotListed: number;
  /** Rows of other local authorities (GIAS). */
  otherAuthority: number;
  problems: { line: number; message: string; leftOut: boolean }[];
}

/** Field names as the place form labels them. */
const LABELS: Record<FieldChange['field'], string> = {
  name: 'Name', category: 'Type', address: 'Address', postcode: 'Postcode', ward: 'Ward', identifier: 'Reference number',
  latitude: 'Latitude', longitude: 'Longitude', phone: 'Phone', website: 'Website', retired: 'Listed',
};

/** Optional fields a blank in the file leaves as they are (registers are often incomplete). */
const KEPT_WHEN_BLANK = ['category', 'address', 'postcode', 'ward', 'phone', 'website'] as const;

/**
 * Coordinates closer than this are the same place: the grid conversion is good to about 5 m
 * (./grid.ts), so a smaller move is noise, not news.
 */
export const SAME_PLACE_METRES = 10;

const METRES_PER_MILE = 1609.344;

function movedApart(a: PlaceDraft, b: PlaceDetails): boolean {
  if (b.latitude === null || b.longitude === null) return false;
  if (a.latitude === null || a.longitude === null) return true;
  const miles = distanceInMiles({ latitude: a.latitude, longitude: a.longitude }, { latitude: b.latitude, longitude: b.longitude });
  return miles * METRES_PER_MILE > SAME_PLACE_METRES;
}

const shown = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '(none)' : String(value));

/** The place's content updated with the file's details, and what changed, field by field. */
function updated(existing: PlaceDraft, details: PlaceDetails): { draft: PlaceDraft; changes: FieldChange[] } {
  const draft: PlaceDraft = { ...existing, retired: false };
  const changes: FieldChange[] = [];
  const set = <F extends keyof PlaceDetails>(field: F, value: PlaceDetails[F]) => {
    const before = (existing as unknown as Record<string, unknown>)[field] ?? null;
    if (before === value) return;
    (draft as unknown as Record<string, unknown>)[field] = value;
    changes.push({ field, label: LABELS[field], before: shown(before as string | null), after: shown(value) });
  };
  set('name', details.name);
  for (const field of KEPT_WHEN_BLANK) {
    const value = details[field];
    if (value !== null && value !== '') set(field, value);
  }
  if (movedApart(existing, details)) {
    set('latitude', details.latitude);
    set('longitude', details.longitude);
  }
  if (existing.retired) changes.push({ field: 'retired', label: LABELS.retired, before: 'Withdrawn', after: 'Listed again' });
  return { draft, changes };
}

function newDraft(serviceId: number, slug: string, details: PlaceDetails): PlaceDraft {
  return {
    serviceId, slug, ...details, status: 'unknown', noteMarkdown: '', statusFrom: null, statusUntil: null,
    reason: null, expectedReopeningAt: null, confirmedAt: null, retired: false,
  };
}

/**
 * What importing `rows` would do to `existing` (every place of the service, withdrawn ones too).
 * A row matches the place with its reference number; without one (generic CSV), the place with
 * its address name. Rows the register lists as closed withdraw a listed place and are otherwise
 * ignored; a withdrawn place that is open in the file is listed again.
 */
export function planImport(input: {
  source: ImportSource;
  serviceId: number;
  rows: readonly ImportRow[];
  existing: readonly ExistingPlace[];
  problems: ImportPlan['problems'];
  otherAuthority?: number;
}): ImportPlan {
  const byIdentifier = new Map(input.existing.filter((p) => p.content.identifier).map((p) => [p.content.identifier!, p]));
  const bySlug = new Map(input.existing.map((p) => [p.content.slug, p]));
  const slugsTaken = new Set(bySlug.keys());
  const mentioned = new Set<number>();
  const plan: ImportPlan = {
    source: input.source, serviceId: input.serviceId, created: [], changed: [], withdrawn: [], unchanged: 0,
    notInFile: [], closedNotListed: 0, otherAuthority: input.otherAuthority ?? 0, problems: [...input.problems],
  };
  for (const row of input.rows) {
    const { details } = row;
    const slug = row.slug ?? slugFromName(details.name);
    const match = details.identifier ? byIdentifier.get(details.identifier) ?? (input.source === 'csv' ? unreferenced(bySlug.get(slug)) : undefined) : bySlug.get(slug);
    if (match) mentioned.add(match.id);
    if (!row.open) {
      if (match && !match.content.retired) {
        plan.withdrawn.push({ line: row.line, placeId: match.id, baseRevisionId: match.currentRevisionId, name: match.content.name, draft: { ...match.content, retired: true } });
      } else {
        plan.closedNotListed++;
      }
      continue;
    }
    if (match) {
      const { draft, changes } = updated(match.content, details);
      if (changes.length === 0) plan.unchanged++;
      else plan.changed.push({ line: row.line, placeId: match.id, baseRevisionId: match.currentRevisionId, name: details.name, changes, draft });
      continue;
    }
    const freeSlug = uniqueSlug(slug, details.identifier, slugsTaken);
    if (freeSlug === '') {
      plan.problems.push({ line: row.line, message: `${details.name}: its name must include at least one letter or number`, leftOut: true });
      continue;
    }
    slugsTaken.add(freeSlug);
    plan.created.push({ line: row.line, name: details.name, ward: details.ward, draft: newDraft(input.serviceId, freeSlug, details) });
  }
  for (const place of input.existing) {
    if (!mentioned.has(place.id) && !place.content.retired && place.content.identifier) plan.notInFile.push({ placeId: place.id, name: place.content.name });
  }
  plan.problems.sort((a, b) => a.line - b.line);
  return plan;
}

/** A generic CSV row with a reference matches a place by address name only if that place has no reference of its own. */
function unreferenced(place: ExistingPlace | undefined): ExistingPlace | undefined {
  return place && !place.content.identifier ? place : undefined;
}

/** The slug, or (taken by another place) the slug with the reference number or a counter. */
function uniqueSlug(slug: string, identifier: string | null, taken: ReadonlySet<string>): string {
  if (slug === '' || !taken.has(slug)) return slug;
  const withReference = identifier ? `${slug}-${identifier.toLowerCase()}` : '';
  if (withReference && !taken.has(withReference)) return withReference;
  for (let n = 2; ; n++) if (!taken.has(`${slug}-${n}`)) return `${slug}-${n}`;
}

/** "3 new, 2 changed, 1 withdrawn" — what applying the plan does, for the change set and the command line. */
export function describePlan(plan: Pick<ImportPlan, 'created' | 'changed' | 'withdrawn'>): string {
  const parts = [
    plan.created.length > 0 ? `${plan.created.length} new` : null,
    plan.changed.length > 0 ? `${plan.changed.length} changed` : null,
    plan.withdrawn.length > 0 ? `${plan.withdrawn.length} withdrawn` : null,
  ].filter(Boolean);
  return parts.length === 0 ? 'nothing to change' : parts.join(', ');
}

/** The plan has something to apply. */
export function hasChanges(plan: ImportPlan): boolean {
  return plan.created.length + plan.changed.length + plan.withdrawn.length > 0;
}

