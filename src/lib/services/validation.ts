// What an administrator may type into the service forms: its name, the sentence under it, what
// one place and many are called, and the statuses its places can have. Pure.
import { z } from 'zod';
import { PLACE_STATUSES, type PlaceStatus } from '../../../db/schema/index.ts';
import type { FormIssue, FormValues, Parsed } from '../places/validation.ts';

export const SERVICE_FIELDS = ['name', 'summary', 'place-label', 'place-label-plural'] as const;

export interface ServiceChange {
  name: string;
  summary: string;
  placeLabel: string;
  placeLabelPlural: string;
}

const text = (label: string, max: number, example: string) =>
  z.string().trim().min(1, { error: `Enter ${label}, like ${example}` }).max(max, { error: `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer` });

/** Name, summary and place labels, each problem against its input, in form order. */
export function parseService(values: FormValues): Parsed<ServiceChange> {
  const schema = z.object({
    name: text('the service’s name', 60, 'Children’s centres'),
    summary: text('a summary', 200, 'Check if children’s centres are open today'),
    'place-label': text('what one place is called', 40, 'Children’s centre'),
    'place-label-plural': text('what more than one are called', 40, 'Children’s centres'),
  });
  const parsed = schema.safeParse(Object.fromEntries(SERVICE_FIELDS.map((f) => [f, values[f] ?? ''])));
  if (!parsed.success) {
    const issues: FormIssue[] = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
    return { ok: false, issues: SERVICE_FIELDS.flatMap((f) => issues.filter((i) => i.field === f).slice(0, 1)) };
  }
  const d = parsed.data;
  return { ok: true, value: { name: d.name, summary: d.summary, placeLabel: d['place-label'], placeLabelPlural: d['place-label-plural'] } };
}

/**
 * The ticked statuses as the service's set: null when every status is ticked (the set then
 * follows any status added later); "unknown" is always in it. At least one other is needed.
 */
export function parseStatusSet(ticked: readonly string[]): Parsed<PlaceStatus[] | null> {
  const chosen = PLACE_STATUSES.filter((s) => s === 'unknown' || ticked.includes(s));
  if (chosen.length < 2) return { ok: false, issues: [{ field: 'statuses', message: 'Choose at least one status its places can have' }] };
  return { ok: true, value: chosen.length === PLACE_STATUSES.length ? null : chosen };
}
