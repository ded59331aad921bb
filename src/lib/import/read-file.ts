// Reading an uploaded spreadsheet export: bytes to text in the encoding it was saved in, then
// rows by heading with csv-parse. Pure. The Department for Education's GIAS download is
// windows-1252 (its "’" is byte 0x92, its "é" 0xE9); spreadsheets save UTF-8, often with a BOM.
import { parse } from 'csv-parse/sync';

export type Encoding = 'utf-8' | 'windows-1252';

/**
 * The file's text. A UTF-8 byte-order mark means UTF-8; otherwise `preferred` is tried — and
 * UTF-8 falls back to windows-1252 when the bytes are not valid UTF-8 (a file saved by older
 * Excel), since every byte sequence is valid windows-1252.
 */
export function decodeText(bytes: Uint8Array, preferred: Encoding): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (preferred === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8: read it as windows-1252 below.
    }
  }
  return new TextDecoder('windows-1252').decode(bytes);
}

export interface CsvTable {
  headings: string[];
  /** Each row by heading, with the file's line number (the heading is line 1). */
  rows: { line: number; values: Record<string, string> }[];
}

export type ReadTable = { ok: true; table: CsvTable } | { ok: false; message: string };

/** Rows of a CSV file by their headings; a malformed file is a message saying where. */
export function readCsvTable(text: string): ReadTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true, trim: false }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { ok: false, message: `The file is not a readable CSV file${line ? ` (the problem is on line ${line})` : ''}` };
  }
  const [head, ...body] = records;
  if (!head) return { ok: false, message: 'The file is empty' };
  const headings = head.record.map((h) => h.trim());
  const rows = body.map(({ record, info }) => ({
    line: info.lines,
    values: Object.fromEntries(headings.map((h, i) => [h, (record[i] ?? '').trim()])),
  }));
  return { ok: true, table: { headings, rows } };
}
