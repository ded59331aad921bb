// The Department for Education's "Get Information about Schools" (GIAS) establishment export,
// read into places: one local authority's establishments, by their real column headings, with
// their grid references turned into latitude and longitude. Pure. Which rows become which
// changes is decided by ./plan.ts; this file only says what the register says about each school.
import { gridToLatLng } from './grid.ts';
import { decodeText, readCsvTable } from './read-file.ts';
import { detailsFromValues, type ImportRow, type ReadRows } from './rows.ts';

/** The GIAS columns an import needs; the rest of the export's ~130 columns are ignored. */
export const GIAS_REQUIRED_COLUMNS = ['URN', 'EstablishmentName', 'EstablishmentStatus (name)', 'LA (code)', 'Postcode', 'Easting', 'Northing'] as const;

/** GIAS's statuses for a school that is running: "Open", and "Open, but proposed to close". */
export function isOpenStatus(status: string): boolean {
  return /^open\b/i.test(status.trim());
}

/** A local authority code as GIAS gives it: three digits (Kirklees is 382). */
export function isLaCode(value: string): boolean {
  return /^\d{3}$/.test(value.trim());
}

/** "Primary", "Secondary", "Special", "Nursery"… from the phase, or the type when the phase says nothing. */
function categoryOf(values: Record<string, string>): string {
  const type = values['TypeOfEstablishment (name)'] ?? '';
  const phase = values['PhaseOfEducation (name)'] ?? '';
  if (/special/i.test(type)) return 'Special';
  if (phase && !/^not applicable$/i.test(phase)) return phase;
  return type;
}

/** GIAS websites are often "www.school.sch.uk": a bare host is given https://. */
function websiteOf(value: string): string {
  const text = value.trim();
  if (text === '' || /^https?:\/\//i.test(text)) return text;
  return /^[a-z0-9.-]+\.[a-z]{2,}(\/\S*)?$/i.test(text) ? `https://${text}` : text;
}

/** "0148 4222 111" or "1484222111" (GIAS drops the leading 0 on some rows) as people dial it. */
function phoneOf(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (/^[1-9]\d{8,9}$/.test(digits)) return `0${digits}`;
  return value.trim();
}

export interface GiasRows extends ReadRows {
  /** Rows of other local authorities, left out. */
  otherAuthority: number;
}

/**
 * The establishments of local authority `laCode` in a GIAS export (bytes as downloaded, in
 * windows-1252). Each row says whether the school is open. A row that cannot be a place (no
 * name, a malformed postcode) is reported as a problem with its line number and left out.
 */
export function readGiasRows(bytes: Uint8Array, laCode: string): GiasRows | { ok: false; message: string } {
  const read = readCsvTable(decodeText(bytes, 'windows-1252'));
  if (!read.ok) return read;
  const { headings, rows } = read.table;
  const missing = GIAS_REQUIRED_COLUMNS.filter((c) => !headings.includes(c));
  if (missing.length > 0) {
    return { ok: false, message: `The file is not a GIAS establishment export: it has no ${missing.map((c) => `‘${c}’`).join(', ')} column${missing.length === 1 ? '' : 's'}` };
  }
  const code = laCode.trim();
  const result: GiasRows = { ok: true, rows: [], problems: [], otherAuthority: 0 };
  const seen = new Set<string>();
  for (const { line, values } of rows) {
    if ((values['LA (code)'] ?? '') !== code) {
      result.otherAuthority++;
      continue;
    }
    const urn = values['URN'] ?? '';
    const grid = gridToLatLng(Number(values['Easting'] || NaN), Number(values['Northing'] || NaN));
    const address = ['Street', 'Locality', 'Address3', 'Town'].map((c) => values[c] ?? '').filter((part) => part !== '').join(', ');
    const parsed = detailsFromValues({
      name: values['EstablishmentName'] ?? '',
      category: categoryOf(values),
      address,
      postcode: values['Postcode'] ?? '',
      ward: values['AdministrativeWard (name)'] ?? '',
      identifier: urn,
      latitude: grid ? String(grid.latitude) : '',
      longitude: grid ? String(grid.longitude) : '',
      phone: phoneOf(values['TelephoneNum'] ?? ''),
      website: websiteOf(values['SchoolWebsite'] ?? ''),
    });
    const label = values['EstablishmentName'] || `URN ${urn}`;
    if (!parsed.ok) {
      result.problems.push({ line, message: `${label}: ${parsed.message}`, leftOut: true });
      continue;
    }
    if (!parsed.details.identifier) {
      result.problems.push({ line, message: `${label}: it has no URN`, leftOut: true });
      continue;
    }
    if (seen.has(parsed.details.identifier)) {
      result.problems.push({ line, message: `${label}: URN ${parsed.details.identifier} is on an earlier line too, so this line was left out`, leftOut: true });
      continue;
    }
    seen.add(parsed.details.identifier);
    if (parsed.dropped) result.problems.push({ line, message: `${label}: ${parsed.dropped}`, leftOut: false });
    result.rows.push({ line, details: parsed.details, slug: null, open: isOpenStatus(values['EstablishmentStatus (name)'] ?? '') });
  }
  return result;
}
