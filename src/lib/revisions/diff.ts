// Differences between two revisions of the same content, field by field, with a word-level
// diff for text (`diff` package). One diff for every kind: the history, review and conflict
// views all use it. Pure.
import { diffWords } from 'diff';
import type { ContentKind } from '../../../db/schema/index.ts';
import { SEVERITY_LABEL } from '../alerts/service.ts';
import { STATUS_PRESENTATION, STATUS_REASON_LABEL } from '../places/status.ts';
import { formatDateTime } from '../time/london.ts';
import type { AlertContent, ContentByKind, PageContent, PlaceContent } from './content.ts';

export interface DiffPart {
  value: string;
  added: boolean;
  removed: boolean;
}

export interface FieldDiff {
  field: string;
  label: string;
  before: string;
  after: string;
  changed: boolean;
  /** Word-level parts for text fields that changed. */
  parts: DiffPart[] | null;
}

interface FieldSpec<C> {
  field: keyof C & string;
  label: string;
  /** How the value reads to a person. */
  show: (content: C, now: Date) => string;
  /** Compare word by word (long text) rather than as a whole value. */
  text?: boolean;
}

const when = (iso: string | null, now: Date) => (iso ? formatDateTime(new Date(iso), now) : '');
const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

const PLACE_FIELDS: FieldSpec<PlaceContent>[] = [
  { field: 'status', label: 'Status', show: (c) => STATUS_PRESENTATION[c.status].label },
  { field: 'noteMarkdown', label: 'Note', show: (c) => c.noteMarkdown, text: true },
  { field: 'statusFrom', label: 'From', show: (c, now) => when(c.statusFrom, now) },
  { field: 'statusUntil', label: 'Until', show: (c, now) => when(c.statusUntil, now) },
  { field: 'reason', label: 'Reason', show: (c) => (c.reason ? STATUS_REASON_LABEL[c.reason] : '') },
  { field: 'expectedReopeningAt', label: 'Expected to reopen', show: (c, now) => when(c.expectedReopeningAt ?? null, now) },
  { field: 'confirmedAt', label: 'Confirmed at', show: (c, now) => when(c.confirmedAt, now) },
  { field: 'name', label: 'Name', show: (c) => c.name, text: true },
  { field: 'identifier', label: 'Identifier', show: (c) => c.identifier ?? '' },
  { field: 'category', label: 'Type', show: (c) => c.category },
  { field: 'address', label: 'Address', show: (c) => c.address, text: true },
  { field: 'postcode', label: 'Postcode', show: (c) => c.postcode },
  { field: 'ward', label: 'Ward', show: (c) => c.ward },
  { field: 'latitude', label: 'Latitude', show: (c) => (c.latitude === null ? '' : String(c.latitude)) },
  { field: 'longitude', label: 'Longitude', show: (c) => (c.longitude === null ? '' : String(c.longitude)) },
  { field: 'phone', label: 'Phone', show: (c) => c.phone ?? '' },
  { field: 'website', label: 'Website', show: (c) => c.website ?? '' },
  { field: 'slug', label: 'Web address', show: (c) => c.slug },
  { field: 'retired', label: 'Retired', show: (c) => yesNo(c.retired) },
];

const ALERT_FIELDS: FieldSpec<AlertContent>[] = [
  { field: 'headline', label: 'Headline', show: (c) => c.headline, text: true },
  { field: 'severity', label: 'Severity', show: (c) => SEVERITY_LABEL[c.severity] },
  { field: 'bodyMarkdown', label: 'Body', show: (c) => c.bodyMarkdown, text: true },
  { field: 'area', label: 'Area', show: (c) => c.area },
  { field: 'serviceSlugs', label: 'Services', show: (c) => c.serviceSlugs.join(', ') },
  { field: 'startsAt', label: 'Starts', show: (c, now) => when(c.startsAt, now) },
  { field: 'expiresAt', label: 'Expires', show: (c, now) => when(c.expiresAt, now) },
  { field: 'retired', label: 'Retired', show: (c) => yesNo(c.retired) },
];

const PAGE_FIELDS: FieldSpec<PageContent>[] = [
  { field: 'title', label: 'Title', show: (c) => c.title, text: true },
  { field: 'summary', label: 'Summary', show: (c) => c.summary, text: true },
  { field: 'bodyMarkdown', label: 'Body', show: (c) => c.bodyMarkdown, text: true },
  { field: 'slug', label: 'Web address', show: (c) => c.slug },
  { field: 'retired', label: 'Retired', show: (c) => yesNo(c.retired) },
];

const FIELDS: { [K in ContentKind]: FieldSpec<ContentByKind[K]>[] } = { place: PLACE_FIELDS, alert: ALERT_FIELDS, page: PAGE_FIELDS };

/**
 * Field-by-field differences from `before` (null: nothing yet) to `after`. Every field is
 * listed; `changed` says which differ.
 */
export function diffContent<K extends ContentKind>(kind: K, before: ContentByKind[K] | null, after: ContentByKind[K], now = new Date()): FieldDiff[] {
  const specs = FIELDS[kind] as FieldSpec<ContentByKind[K]>[];
  return specs.map((spec) => {
    const b = before ? spec.show(before, now) : '';
    const a = spec.show(after, now);
    // A field missing from an older revision (a place's phone, a status reason) reads as null, not as a change.
    const changed = before ? JSON.stringify(before[spec.field] ?? null) !== JSON.stringify(after[spec.field] ?? null) : a !== '';
    return {
      field: spec.field,
      label: spec.label,
      before: b,
      after: a,
      changed,
      parts: changed && spec.text ? diffWords(b, a).map((p) => ({ value: p.value, added: Boolean(p.added), removed: Boolean(p.removed) })) : null,
    };
  });
}

/**
 * The fields that changed first, then the rest, each in the kind's own order: a diff view
 * shows the changes and folds the unchanged fields away (a `<details>`, no JavaScript).
 */
export function changedFirst(diffs: FieldDiff[]): { changed: FieldDiff[]; unchanged: FieldDiff[] } {
  return { changed: diffs.filter((d) => d.changed), unchanged: diffs.filter((d) => !d.changed) };
}

/** Only the fields that changed. */
export function changedFields(diffs: FieldDiff[]): FieldDiff[] {
  return diffs.filter((d) => d.changed);
}
