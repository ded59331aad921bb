// The rows of a service page's table of places, as HTML — the same markup the page's Astro
// template and StatusTag.astro wrote for each row, character for character. A service page
// lists every place (1,000 on a large council), and rendering a component per row was most of
// an uncached render; here each row is made once per published revision of its place and kept,
// until the London day turns or its status lapses or its expected reopening passes (the only
// ways the time changes a row). A search or filter lists some of the same rows.
import { formatMiles } from '../lib/geo/distance.ts';
import type { PlaceRow } from '../lib/places/repository.ts';
import type { WithEffective } from '../lib/places/service.ts';
import { describeStatusDetails, STATUS_PRESENTATION, type EffectiveStatus } from '../lib/places/status.ts';
import { formatDateTime, londonDateKey } from '../lib/time/london.ts';

export type TableRowPlace = WithEffective<PlaceRow> & { distanceMiles: number | null };

const ESCAPABLE = /[&<>'"]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };

/** Text as Astro escapes an expression: & < > ' and ". */
export function escapeText(value: string): string {
  return value.replace(ESCAPABLE, (c) => ENTITIES[c]!);
}

/** An attribute value as Astro escapes it: & and ". */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** StatusTag.astro's markup. */
export function statusTagHtml(effective: EffectiveStatus, now: Date): string {
  const presentation = STATUS_PRESENTATION[effective.status];
  let html = `<strong class="govuk-tag ${escapeAttribute(presentation.tagClass)}">${escapeText(presentation.label)}</strong> `;
  if (effective.lapsed && effective.lapsedFrom) {
    const since = effective.lapsedAt ?? effective.confirmedAt;
    const confirmed = effective.confirmedAt ? `, last confirmed ${formatDateTime(effective.confirmedAt, now)}` : '';
    html +=
      `<span class="govuk-body-s csa-lapsed">\nNot confirmed since ${escapeText(since ? formatDateTime(since, now) : 'it was last set')} \n` +
      `(it was ${escapeText(STATUS_PRESENTATION[effective.lapsedFrom].label.toLowerCase())} until then${escapeText(confirmed)})\n</span>`;
  }
  return html;
}

/** One row up to its distance cell (which only a postcode search has). */
function rowHtml(serviceSlug: string, place: TableRowPlace, now: Date): string {
  const statusDetails = describeStatusDetails(place, place.effective, now);
  const ward = place.ward ? `<span class="govuk-body-s govuk-!-display-block govuk-!-font-weight-regular">${escapeText(place.ward)}</span>` : '';
  const details =
    place.effective.lapsed || (!place.noteHtml && !statusDetails)
      ? '<td role="cell" class="govuk-table__cell csa-table-note"></td>'
      : '<td role="cell" class="govuk-table__cell csa-table-note" data-label="Details" data-content>' +
        (statusDetails ? `<p class="govuk-body-s govuk-!-margin-bottom-1" data-status-details>${escapeText(statusDetails)}</p>` : '') +
        place.noteHtml +
        '</td>';
  return (
    '<tr class="govuk-table__row" role="row"> <th scope="row" class="govuk-table__header" role="rowheader"> ' +
    `<a class="govuk-link" href="${escapeAttribute(`/services/${serviceSlug}/${place.slug}`)}">${escapeText(place.name)}</a> ${ward} </th> ` +
    `<td role="cell" class="govuk-table__cell" data-label="Status">${statusTagHtml(place.effective, now)}</td> ${details} ` +
    `<td role="cell" class="govuk-table__cell" data-label="Updated"> ${escapeText(place.confirmedAt ? formatDateTime(place.confirmedAt, now) : 'No update yet')} </td> `
  );
}

/** Rows made, by place: valid for that revision and service address, on that London day, while nothing in the row passes. */
const made = new Map<number, { key: string; until: number; html: string }>();
const MAX_ROWS = 20_000;

function rememberedRow(serviceSlug: string, place: TableRowPlace, now: Date, day: string): string {
  const key = `${place.currentRevisionId}|${serviceSlug}|${day}|${place.effective.lapsed ? 1 : 0}`;
  const t = now.getTime();
  const kept = made.get(place.id);
  if (kept && kept.key === key && t < kept.until) return kept.html;
  const html = rowHtml(serviceSlug, place, now);
  // The row says "Expected to reopen" only until then, and "not confirmed" from its lapse on.
  const passes = [place.expectedReopeningAt?.getTime(), place.statusUntil?.getTime()].filter((at): at is number => at !== undefined && at > t);
  if (made.size >= MAX_ROWS) made.clear();
  made.set(place.id, { key, until: Math.min(Infinity, ...passes), html });
  return html;
}

/** The table's rows, in order, with the distance cell when the search was by postcode. */
export function placeTableRowsHtml(serviceSlug: string, places: readonly TableRowPlace[], now: Date, withDistance: boolean): string {
  const day = londonDateKey(now);
  let html = '';
  for (const place of places) {
    html += rememberedRow(serviceSlug, place, now, day);
    if (withDistance) html += `<td role="cell" class="govuk-table__cell" data-label="Distance">${place.distanceMiles === null ? '' : escapeText(formatMiles(place.distanceMiles))}</td>`;
    html += ' </tr>';
  }
  return html;
}

/**
 * Where the page puts its rows when they come as bytes (placeTableRowsBytes): the middleware
 * puts them there (src/middleware.ts), so the page itself stays small.
 */
export const PLACE_ROWS_MARKER = '<!--csa:place-rows-->';

/** The same rows encoded, the last few lists kept: a long list is the same bytes request after request. */
const encoded = new Map<string, { until: number; bytes: Buffer }>();
const MAX_ENCODED = 8;

/**
 * placeTableRowsHtml as UTF-8 bytes. Encoding a 1,000-row table was a large share of a render;
 * the bytes of one list (the same places at the same revisions and statuses, on the same London
 * day) are made once, until a row in it would change.
 */
export function placeTableRowsBytes(serviceSlug: string, places: readonly TableRowPlace[], now: Date, withDistance: boolean): Buffer {
  const day = londonDateKey(now);
  let signature = `${serviceSlug}|${day}|${withDistance ? 'd' : ''}|`;
  for (const place of places) signature += `${place.id}.${place.currentRevisionId}.${place.effective.lapsed ? 1 : 0}.${withDistance ? place.distanceMiles : ''},`;
  const t = now.getTime();
  const kept = encoded.get(signature);
  if (kept && t < kept.until) return kept.bytes;
  const bytes = Buffer.from(placeTableRowsHtml(serviceSlug, places, now, withDistance));
  let until = Infinity;
  for (const place of places) {
    const row = made.get(place.id);
    if (row && row.until < until) until = row.until;
  }
  if (encoded.size >= MAX_ENCODED) encoded.delete(encoded.keys().next().value!);
  encoded.set(signature, { until, bytes });
  return bytes;
}
