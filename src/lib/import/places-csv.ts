// Any places from a spreadsheet (libraries, leisure centres, tips, roads): one row a place,
// columns by heading, in any order, case ignored. Pure. The mapping:
//
//   name        required: the place's name
//   identifier  optional: the council's own reference (or `reference`, `urn`); rows are matched
//               to places by it when given, otherwise by the address name
//   slug        optional: the address name (/services/<service>/<slug>); made from the name if blank
//   category    optional: its type, "Library" (or `type`)
//   address, postcode, ward, phone, website   optional, as on the place form
//   latitude, longitude   optional, WGS84 decimal degrees — or instead
//   easting, northing     optional, British National Grid metres (converted, see ./grid.ts)
//
// Other columns are ignored. The same checks as the place form apply to every value.
import { slugFromName } from '../places/validation.ts';
import { gridToLatLng } from './grid.ts';
import { decodeText, readCsvTable } from './read-file.ts';
import { detailsFromValues, type ReadRows } from './rows.ts';

/** Headings each field may be given under (lower case). */
export const CSV_COLUMNS = {
  name: ['name'],
  identifier: ['identifier', 'reference', 'urn'],
  slug: ['slug'],
  category: ['category', 'type'],
  address: ['address'],
  postcode: ['postcode'],
  ward: ['ward'],
  latitude: ['latitude', 'lat'],
  longitude: ['longitude', 'lng', 'lon'],
  easting: ['easting'],
  northing: ['northing'],
  phone: ['phone', 'telephone'],
  website: ['website'],
} as const;

type Column = keyof typeof CSV_COLUMNS;

/** The places in a CSV file (UTF-8, or windows-1252 from older spreadsheets). */
export function readPlacesCsvRows(bytes: Uint8Array): ReadRows | { ok: false; message: string } {
  const read = readCsvTable(decodeText(bytes, 'utf-8'));
  if (!read.ok) return read;
  const { headings, rows } = read.table;
  const lower = headings.map((h) => h.toLowerCase());
  const headingOf = {} as Record<Column, string | undefined>;
  for (const column of Object.keys(CSV_COLUMNS) as Column[]) {
    const index = lower.findIndex((h) => (CSV_COLUMNS[column] as readonly string[]).includes(h));
    headingOf[column] = index === -1 ? undefined : headings[index];
  }
  if (!headingOf.name) return { ok: false, message: 'The file has no ‘name’ column: its first line must name the columns, like name,address,postcode' };
  const result: ReadRows = { ok: true, rows: [], problems: [] };
  const seen = new Set<string>();
  for (const { line, values } of rows) {
    const get = (column: Column) => {
      const heading = headingOf[column];
      return heading ? values[heading] ?? '' : '';
    };
    let latitude = get('latitude');
    let longitude = get('longitude');
    if (latitude === '' && longitude === '' && (get('easting') !== '' || get('northing') !== '')) {
      const grid = gridToLatLng(Number(get('easting')), Number(get('northing')));
      if (!grid) {
        result.problems.push({ line, message: `${get('name') || 'A row'}: its easting and northing are not a place in Great Britain`, leftOut: true });
        continue;
      }
      latitude = String(grid.latitude);
      longitude = String(grid.longitude);
    }
    const label = get('name') || 'A row with no name';
    const parsed = detailsFromValues({
      name: get('name'), category: get('category'), address: get('address'), postcode: get('postcode'), ward: get('ward'),
      identifier: get('identifier'), latitude, longitude, phone: get('phone'), website: get('website'),
    });
    if (!parsed.ok) {
      result.problems.push({ line, message: `${label}: ${parsed.message}`, leftOut: true });
      continue;
    }
    const slugText = get('slug');
    const slug = slugText === '' ? null : slugFromName(slugText);
    if (slugText !== '' && slug !== slugText) {
      result.problems.push({ line, message: `${label}: its slug must be lower-case letters, numbers and hyphens, like ${slug || 'main-library'}`, leftOut: true });
      continue;
    }
    const key = parsed.details.identifier ?? slug ?? slugFromName(parsed.details.name);
    if (seen.has(key)) {
      result.problems.push({ line, message: `${label}: an earlier row is the same place, so this row was left out`, leftOut: true });
      continue;
    }
    seen.add(key);
    if (parsed.dropped) result.problems.push({ line, message: `${label}: ${parsed.dropped}`, leftOut: false });
    result.rows.push({ line, details: parsed.details, slug, open: true });
  }
  return result;
}
