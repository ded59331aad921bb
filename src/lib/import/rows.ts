// One imported row as a place's details, checked by the same rules as the place form
// (src/lib/places/validation.ts), so an import can never store what an editor could not type.
import { parsePlaceDetails, type PlaceDetails } from '../places/validation.ts';

export interface ImportRow {
  /** The row's line in the file (the heading is line 1), for problems and the dry run. */
  line: number;
  details: PlaceDetails;
  /** The address name the file asks for (generic CSV `slug`), or null to make one from the name. */
  slug: string | null;
  /** False for an establishment the register lists as closed: a place of ours with it is withdrawn. */
  open: boolean;
}

export interface ReadRows {
  ok: true;
  rows: ImportRow[];
  /**
   * What was wrong with rows, in words: a row that cannot be a place is left out (`leftOut`);
   * a row with only a bad phone number or website is kept without it.
   */
  problems: { line: number; message: string; leftOut: boolean }[];
}

/** Optional details a bad value of which is dropped rather than losing the whole row. */
const DROPPABLE = ['phone', 'website'] as const;

export type RowDetails = { ok: true; details: PlaceDetails; dropped: string | null } | { ok: false; message: string };

/** The details from a row's text, or what is wrong with it in words. */
export function detailsFromValues(values: Record<keyof PlaceDetails, string>): RowDetails {
  const parsed = parsePlaceDetails(values);
  if (parsed.ok) return { ok: true, details: parsed.value, dropped: null };
  if (parsed.issues.every((i) => (DROPPABLE as readonly string[]).includes(i.field))) {
    const retry = parsePlaceDetails({ ...values, ...Object.fromEntries(parsed.issues.map((i) => [i.field, ''])) });
    if (retry.ok) return { ok: true, details: retry.value, dropped: `left out its ${parsed.issues.map((i) => (i.field === 'phone' ? 'phone number' : i.field)).join(' and ')}: ${parsed.issues.map((i) => i.message).join('; ')}` };
  }
  return { ok: false, message: parsed.issues.map((i) => i.message).join('; ') };
}
