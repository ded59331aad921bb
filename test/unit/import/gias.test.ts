// Reading a GIAS establishment export: windows-1252 decoded, one authority's rows, open or not,
// with the export's habits (phones without the leading 0, websites without https://) repaired.
import { describe, expect, it } from 'vitest';
import { readGiasRows } from '../../../src/lib/import/gias.ts';

const HEAD = 'URN,LA (code),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),Street,Town,Postcode,TelephoneNum,SchoolWebsite,AdministrativeWard (name),Easting,Northing';

function cp1252(text: string): Uint8Array {
  // The characters this test uses outside ASCII, as windows-1252 writes them.
  const map: Record<string, number> = { '’': 0x92, 'é': 0xe9 };
  return Uint8Array.from([...text].map((c) => map[c] ?? c.charCodeAt(0)));
}

describe('readGiasRows', () => {
  it('decodes windows-1252 names and keeps only the chosen authority', () => {
    const file = cp1252(`${HEAD}\r\n1,382,St Anne’s School,Community school,Open,Primary,Café Road,Huddersfield,HD1 1AA,,,Newsome,416168,416727\r\n2,380,Elsewhere School,Community school,Open,Primary,,Bradford,BD1 1AA,,,Tong,416564,433773\r\n`);
    const read = readGiasRows(file, '382');
    if (!('rows' in read)) throw new Error(read.message);
    expect(read.rows.map((r) => r.details.name)).toEqual(['St Anne’s School']);
    expect(read.rows[0]!.details.address).toBe('Café Road, Huddersfield');
    expect(read.otherAuthority).toBe(1);
  });

  it('reads "Open, but proposed to close" as open and "Closed" and "Proposed to open" as not', () => {
    const rows = ['Open, but proposed to close', 'Closed', 'Proposed to open'].map((status, i) => `${i + 1},382,School ${i + 1},Community school,"${status}",Primary,,Huddersfield,HD1 1AA,,,Newsome,416168,416727`);
    const read = readGiasRows(new TextEncoder().encode([HEAD, ...rows].join('\n')), '382');
    if (!('rows' in read)) throw new Error(read.message);
    expect(read.rows.map((r) => r.open)).toEqual([true, false, false]);
  });

  it('keeps a school whose phone number is nonsense, without the phone, and says so', () => {
    const read = readGiasRows(new TextEncoder().encode(`${HEAD}\n7,382,Hill School,Community school,Open,Primary,,Huddersfield,HD1 1AA,call the office,www.hill.example,Newsome,416168,416727`), '382');
    if (!('rows' in read)) throw new Error(read.message);
    expect(read.rows[0]!.details).toMatchObject({ phone: null, website: 'https://www.hill.example' });
    expect(read.problems).toEqual([{ line: 2, message: expect.stringContaining('Hill School: left out its phone number'), leftOut: false }]);
  });

  it('says which GIAS columns a file lacks', () => {
    expect(readGiasRows(new TextEncoder().encode('URN,Name\n1,A'), '382')).toEqual({
      ok: false,
      message: 'The file is not a GIAS establishment export: it has no ‘EstablishmentName’, ‘EstablishmentStatus (name)’, ‘LA (code)’, ‘Postcode’, ‘Easting’, ‘Northing’ columns',
    });
  });
});
