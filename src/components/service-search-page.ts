// A search on a service page (`/services/schools?q=colne`), made without a full render: the
// page differs from the service's full page (rendered by Astro, in the page cache) only in the
// search box's value, the results heading, the print link and the results themselves — so those
// are put into the full page's own bytes, and the rows come from place-table-rows.ts, the same
// function the page uses. Only a search by words or postcode is made here (`q`, alone or with
// the form's status and area left empty; nothing wrong with it); anything else (a status or
// area chosen, the print view, an error to show, a full page not in the cache) is left to Astro
// (null). test/integration/search-pages.test.ts checks the two agree
// byte for byte.
import { currentContentState, entityTag, getCachedPage, storePage, type CachedPage } from '../lib/http/page-cache.ts';
import { unknownPostcodeMessage, type NearOrigin, type PlaceSearchOutcome } from '../lib/places/search.ts';
import { loadServicePage } from '../lib/public/site.ts';
import { escapeAttribute, escapeText, placeTableRowsHtml } from './place-table-rows.ts';

/** The results heading ("9 schools match “colne”"), for the page and for this module alike. */
export function resultsHeading(options: {
  search: PlaceSearchOutcome;
  count: number;
  total: number;
  filtered: boolean;
  placeLabel: string;
  placeLabelPlural: string;
}): string {
  const { search, count, total, filtered } = options;
  const label = options.placeLabel.toLowerCase();
  const pluralLabel = options.placeLabelPlural.toLowerCase();
  if (search.kind === 'unknown-postcode') return unknownPostcodeMessage(search.postcode, options.placeLabel).title;
  if (search.kind === 'near') {
    const near = search.from;
    return count === 1 ? `The ${label} nearest ${near.label}` : `The ${count} ${pluralLabel} nearest ${near.label}`;
  }
  if (search.kind === 'text') return `${count} ${count === 1 ? `${label} matches` : `${pluralLabel} match`} “${search.query}”`;
  return filtered ? `${count} of ${total} ${pluralLabel} match` : `All ${total} ${pluralLabel}`;
}

/** What the distances are measured from, said above a postcode search's results. */
export function nearestFirstNote(near: NearOrigin): string {
  return near.precision === 'district'
    ? `Nearest first. Distances are in a straight line from the middle of the ${near.outcode} postcode area.`
    : `Nearest first. Distances are in a straight line from ${near.label}.`;
}

const SEARCH_BOX = ' id="filter-q" name="q" type="search" value maxlength="100"';
const HEADING_OPEN = '<h2 class="govuk-heading-m" id="results" tabindex="-1">';
const PRINT_LINK_OPEN = '<a class="govuk-link js-print-link" href="';
const TABLE_OPEN = '<table class="govuk-table csa-responsive-table" role="table">';
const TBODY_OPEN = '<tbody class="govuk-table__body" role="rowgroup"> ';
const LAST_HEADER = 'role="columnheader">Updated</th> ';
const DISTANCE_HEADER = '<th scope="col" class="govuk-table__header" role="columnheader">Distance</th>';

/** The full page cut where a search changes it; null when it is not the shape this module knows. */
interface Template {
  beforeBox: string;
  afterBox: string;
  afterHeading: string;
  afterPrintLink: string;
  /** The table up to the first row, without the distance column. */
  tableHead: string;
  afterTable: string;
}

const templates = new WeakMap<CachedPage, Template | null>();

function once(text: string, marker: string, from = 0): number {
  const at = text.indexOf(marker, from);
  return at === -1 || text.indexOf(marker, at + 1) !== -1 ? -1 : at;
}

function templateOf(page: CachedPage): Template | null {
  if (templates.has(page)) return templates.get(page)!;
  const html = page.body.toString('utf8');
  let template: Template | null = null;
  const box = once(html, SEARCH_BOX);
  const heading = once(html, HEADING_OPEN);
  const headingEnd = heading === -1 ? -1 : html.indexOf('</h2>', heading);
  const print = once(html, PRINT_LINK_OPEN);
  const printEnd = print === -1 ? -1 : html.indexOf('"', print + PRINT_LINK_OPEN.length);
  const table = once(html, TABLE_OPEN);
  const tbody = table === -1 ? -1 : html.indexOf(TBODY_OPEN, table);
  const tableEnd = table === -1 ? -1 : html.indexOf('</table>', table);
  const inOrder = [box, heading, headingEnd, print, printEnd, table, tbody, tableEnd];
  if (inOrder.every((at, i) => at !== -1 && (i === 0 || at > inOrder[i - 1]!)) && html.slice(printEnd, table).endsWith('</script>  ')) {
    template = {
      beforeBox: html.slice(0, box) + ' id="filter-q" name="q" type="search"',
      afterBox: ' maxlength="100"' + html.slice(box + SEARCH_BOX.length, heading + HEADING_OPEN.length),
      afterHeading: html.slice(headingEnd, print + PRINT_LINK_OPEN.length),
      afterPrintLink: html.slice(printEnd, table),
      tableHead: html.slice(table, tbody + TBODY_OPEN.length),
      afterTable: html.slice(tableEnd + '</table>'.length),
    };
  }
  templates.set(page, template);
  return template;
}

/**
 * The search page at `key` (a service page address with a search and nothing else chosen),
 * made from its service's cached full page and stored in the cache; null to leave it to Astro.
 */
export async function composeServiceSearchPage(key: string, renderedAtVersion: number | null, buildId: string): Promise<Omit<CachedPage, 'expiresAt' | 'encoded'> | null> {
  const match = /^\/services\/([a-z0-9-]+)\?([^#]*)$/.exec(key);
  if (!match) return null;
  const [, serviceSlug, query] = match as unknown as [string, string, string];
  // The search box alone, or the whole form sent with no status or area chosen (`q=…&status=&ward=`).
  const sent = new URLSearchParams(query);
  if (sent.getAll('q').length !== 1) return null;
  for (const [name, value] of sent) if (name !== 'q' && !((name === 'status' || name === 'ward') && value.trim() === '')) return null;
  const full = getCachedPage(`/services/${serviceSlug}`);
  if (!full || full.status !== 200) return null;
  const template = templateOf(full);
  if (!template) return null;
  const now = new Date();
  // As fresh as the cached full page it goes into (the front server has just checked the version).
  const data = await loadServicePage(serviceSlug, sent, now, Number.POSITIVE_INFINITY);
  // Content moved on while the rows were read: the full page may be gone; Astro renders it.
  if ((currentContentState()?.version ?? null) !== renderedAtVersion || getCachedPage(`/services/${serviceSlug}`) !== full) return null;
  if (data.problems.length > 0 || data.search.kind === 'none') return null;
  const { service, search, places, filters, summary } = data;
  const pluralLabel = service.placeLabelPlural.toLowerCase();
  const near = search.kind === 'near' ? search.from : null;
  const heading = resultsHeading({ search, count: places.length, total: summary.total, filtered: true, placeLabel: service.placeLabel, placeLabelPlural: service.placeLabelPlural });
  const printParams = new URLSearchParams(query);
  printParams.set('view', 'print');
  let results = near ? `<p class="govuk-body-s"> ${escapeText(nearestFirstNote(near))} </p>` : '';
  if (search.kind === 'unknown-postcode') {
    results += `<p class="govuk-body">${escapeText(unknownPostcodeMessage(search.postcode, service.placeLabel).advice)}</p>`;
  } else if (places.length === 0) {
    results +=
      `<p class="govuk-body">No ${escapeText(pluralLabel)} match. Check the spelling, try fewer words, or ` +
      `<a class="govuk-link" href="${escapeAttribute(`/services/${service.slug}`)}">show all ${escapeText(pluralLabel)}</a>.</p>`;
  } else {
    const head = near ? template.tableHead.replace(LAST_HEADER, `${LAST_HEADER}${DISTANCE_HEADER}`) : template.tableHead;
    results += `${head}${placeTableRowsHtml(service.slug, places, now, near !== null)} </tbody> </table>`;
  }
  const html =
    template.beforeBox +
    (filters.query === '' ? ' value' : ` value="${escapeAttribute(filters.query)}"`) +
    template.afterBox +
    escapeText(heading) +
    template.afterHeading +
    escapeAttribute(`/services/${serviceSlug}?${printParams.toString()}`) +
    template.afterPrintLink +
    results +
    template.afterTable;
  const body = Buffer.from(html);
  const page = { status: 200, headers: full.headers, body, etag: entityTag(body, buildId), lastModified: full.lastModified };
  storePage(key, page, renderedAtVersion);
  return page;
}
