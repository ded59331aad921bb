// Opening a place's edit form already filled in from somewhere else — the coverage screen's
// "Mark a place" sends `?status=closed&note=…&summary=…` from a neighbour's item, as "Draft an
// alert from this" does for the alert form. Nothing is saved: the editor reads, changes and
// publishes as usual. Values that are not a status, or are far too long, are ignored.
import { PLACE_STATUSES } from '../../../db/schema/index.ts';
import { NOTE_MAX, SUMMARY_MAX, type FormValues } from './validation.ts';

/** `values` with the status, note and change summary the query string gives, where it gives them. */
export function prefilledPlaceFormValues(values: FormValues, params: URLSearchParams): FormValues {
  const out = { ...values };
  const status = params.get('status');
  if (status !== null && (PLACE_STATUSES as readonly string[]).includes(status)) out.status = status;
  const note = params.get('note');
  if (note !== null && note.length <= NOTE_MAX * 2) out.note = note;
  const summary = params.get('summary');
  if (summary !== null && summary.length <= SUMMARY_MAX * 2) out.summary = summary;
  return out;
}
