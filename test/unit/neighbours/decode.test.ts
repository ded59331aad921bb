// Bytes to text by evidence: byte-order marks (UTF-8, UTF-16 and UTF-32, both byte orders),
// BOM-less UTF-16/32 recognised by their first character, then the declared encoding — and a
// declaration the bytes contradict is repaired, with a note in plain words.
import { describe, expect, it } from 'vitest';
import { decodeFeed } from '../../../src/lib/neighbours/decode.ts';
import { parseFeed } from '../../../src/lib/neighbours/parse.ts';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Café £5 — “snow” ❄</title></channel></rss>';

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const units = [...(bom ? [0xfeff] : []), ...Array.from(text, (_, i) => text.charCodeAt(i))];
  const bytes = new Uint8Array(units.length * 2);
  const view = new DataView(bytes.buffer);
  units.forEach((unit, i) => view.setUint16(i * 2, unit, littleEndian));
  return bytes;
}

function utf32(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const points = [...(bom ? [0xfeff] : []), ...Array.from(text, (c) => c.codePointAt(0)!)];
  const bytes = new Uint8Array(points.length * 4);
  const view = new DataView(bytes.buffer);
  points.forEach((point, i) => view.setUint32(i * 4, point, littleEndian));
  return bytes;
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('byte-order marks and BOM-less Unicode', () => {
  const cases: [string, Uint8Array, string][] = [
    ['UTF-8 with a BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(FEED)]), 'utf-8'],
    ['UTF-16 LE with a BOM', utf16(FEED, true, true), 'utf-16le'],
    ['UTF-16 BE with a BOM', utf16(FEED, false, true), 'utf-16be'],
    ['UTF-32 LE with a BOM', utf32(FEED, true, true), 'utf-32le'],
    ['UTF-32 BE with a BOM', utf32(FEED, false, true), 'utf-32be'],
    ['UTF-16 LE without a BOM', utf16(FEED, true, false), 'utf-16le'],
    ['UTF-16 BE without a BOM', utf16(FEED, false, false), 'utf-16be'],
    ['UTF-32 LE without a BOM', utf32(FEED, true, false), 'utf-32le'],
    ['UTF-32 BE without a BOM', utf32(FEED, false, false), 'utf-32be'],
  ];
  for (const [what, bytes, encoding] of cases) {
    it(`reads ${what}`, () => {
      const decoded = decodeFeed(bytes);
      expect(decoded).toEqual({ text: FEED, encoding, note: null });
      const feed = parseFeed(bytes);
      expect(feed.ok && feed.title).toBe('Café £5 — “snow” ❄');
    });
  }

  it('lets the byte-order mark win over a prolog that says otherwise', () => {
    const bytes = utf16('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>', true, true);
    expect(decodeFeed(bytes).text).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
  });
});

describe('declarations the bytes contradict', () => {
  it('reads text declared UTF-8 that is Windows-1252 as Windows-1252, and says so', () => {
    // "Café – £5" written by a Windows editor: 0xE9, 0x96 and 0xA3 are not valid UTF-8.
    const bytes = latin1('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Caf\u00e9 \u0096 \u00a35</title></channel></rss>');
    const decoded = decodeFeed(bytes, 'application/rss+xml; charset=utf-8');
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.text).toContain('Café – £5');
    expect(decoded.text).not.toContain('\ufffd');
    expect(decoded.note).toBe('the feed says its text is UTF-8 but it is not; it was read as Windows-1252 (Western European)');
    const feed = parseFeed(bytes);
    expect(feed.ok && feed.title).toBe('Café – £5');
    expect(feed.ok && feed.notes).toEqual([decoded.note]);
  });

  it('reads undeclared text that is not UTF-8 as Windows-1252', () => {
    const decoded = decodeFeed(latin1('<rss><channel><title>Gr\u00fc\u00dfe</title></channel></rss>'));
    expect(decoded).toMatchObject({ encoding: 'windows-1252', note: 'the feed does not say which encoding it uses and is not UTF-8; it was read as Windows-1252 (Western European)' });
    expect(decoded.text).toContain('Grüße');
  });

  it('reads text declared ISO-8859-1 that is in fact UTF-8 as UTF-8', () => {
    const bytes = new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Café £5</title></channel></rss>');
    const decoded = decodeFeed(bytes);
    expect(decoded).toMatchObject({ encoding: 'utf-8', note: 'the feed says its text is ISO-8859-1 but it is UTF-8; it was read as UTF-8' });
    expect(decoded.text).toContain('Café £5');
  });

  it('keeps a genuine ISO-8859-1 feed as declared, with no note', () => {
    const decoded = decodeFeed(latin1('<?xml version="1.0" encoding="ISO-8859-1"?><a>Caf\u00e9</a>'));
    expect(decoded).toEqual({ text: '<?xml version="1.0" encoding="ISO-8859-1"?><a>Café</a>', encoding: 'windows-1252', note: null });
  });

  it('reads a feed that says UTF-16 but is written one byte per character', () => {
    const decoded = decodeFeed(new TextEncoder().encode('<?xml version="1.0" encoding="UTF-16"?><a>£</a>'));
    expect(decoded).toMatchObject({ encoding: 'utf-8', note: 'the feed says its text is UTF-16 but it is UTF-8; it was read as UTF-8' });
    expect(decoded.text).toContain('<a>£</a>');
  });

  it('falls back for an encoding it does not know', () => {
    const decoded = decodeFeed(latin1('<?xml version="1.0" encoding="x-klingon"?><a>\u00e9</a>'));
    expect(decoded.text).toContain('<a>é</a>');
    expect(decoded.note).toBe('the feed says its text is in "x-klingon", which we do not know, and it is not UTF-8 either; it was read as Windows-1252 (Western European)');
  });

  it('uses the HTTP charset when the prolog says nothing', () => {
    const decoded = decodeFeed(latin1('<rss><channel><title>\u00a35</title></channel></rss>'), 'text/xml; charset=iso-8859-1');
    expect(decoded).toMatchObject({ encoding: 'windows-1252', note: null });
    expect(decoded.text).toContain('£5');
  });
});
