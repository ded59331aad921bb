// A feed's bytes to text. The order is the XML specification's, with a fallback for feeds that
// lie: a byte-order mark wins (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE), then the shape of the first
// bytes (`<?xml` written in UTF-16 or UTF-32 without a mark), then the encoding the XML prolog
// declares, then the HTTP charset, then UTF-8. A declaration the bytes contradict is not
// trusted: text declared (or assumed) UTF-8 that is not valid UTF-8 is read as Windows-1252,
// the usual culprit, and text declared as a one-byte encoding that is in fact valid UTF-8 is
// read as UTF-8. Each such repair comes back as a note in plain words for the admin screen, so
// a feed is read rather than stored full of replacement characters.

export interface DecodedFeed {
  text: string;
  /** The encoding the text was read with, as TextDecoder names it ("utf-8", "windows-1252"). */
  encoding: string;
  /** What was wrong with the declared encoding and what we did, in plain words; null when nothing was. */
  note: string | null;
}

function charsetOf(contentType: string | null | undefined): string | null {
  const match = /charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType ?? '');
  return match ? match[1]! : null;
}

/** The encoding TextDecoder knows by this label ("latin1" → "windows-1252"), or null. */
function canonical(label: string | null): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().toLowerCase()).encoding;
  } catch {
    return null;
  }
}

/** How people know an encoding, for notes. */
function shown(label: string): string {
  const lower = label.toLowerCase();
  if (lower === 'utf-8' || lower === 'utf8') return 'UTF-8';
  if (lower === 'windows-1252') return 'Windows-1252';
  return label.toUpperCase();
}

/** UTF-32, which TextDecoder does not read: code points out of range become U+FFFD. */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): { text: string; damaged: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const whole = Math.floor(bytes.length / 4);
  let damaged = whole * 4 !== bytes.length;
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < whole; i++) {
    let cp = view.getUint32(i * 4, littleEndian);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      cp = 0xfffd;
      damaged = true;
    }
    chunk.push(cp);
    if (chunk.length === 8_192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  return { text: parts.join(''), damaged };
}

/** Decodes strictly; null when the bytes are not valid in that encoding. */
function strict(encoding: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Whether the bytes hold anything outside ASCII (then the encoding matters at all). */
function hasHighBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

type Sniffed = { encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be'; skip: number };

/** A byte-order mark, or the first character `<` / `{` written in UTF-16 or UTF-32 without one. */
function sniff(b: Uint8Array): Sniffed | null {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { encoding: 'utf-32le', skip: 4 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { encoding: 'utf-32be', skip: 4 };
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', skip: 2 };
  if (b.length < 4) return null;
  if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return { encoding: 'utf-32le', skip: 0 };
  if (b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return { encoding: 'utf-32be', skip: 0 };
  if (b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return { encoding: 'utf-16le', skip: 0 };
  if (b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return { encoding: 'utf-16be', skip: 0 };
  return null;
}

const ONE_BYTE = /^(?:windows-125\d|iso-8859-\d+|koi8-[ru]|macintosh|x-mac-cyrillic|ibm866)$/;

/** Invalid UTF-8 is read as Windows-1252, which gives every byte a character. */
function utf8OrFallback(bytes: Uint8Array, why: (fallback: string) => string): DecodedFeed {
  const text = strict('utf-8', bytes);
  if (text !== null) return { text, encoding: 'utf-8', note: null };
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', note: why('Windows-1252 (Western European)') };
}

/**
 * Text from a feed's bytes, with the encoding used and a note when the feed's own declaration
 * could not be trusted. See the header for the order of evidence.
 */
export function decodeFeed(bytes: Uint8Array, contentType?: string | null): DecodedFeed {
  const sniffed = sniff(bytes);
  if (sniffed) {
    const body = bytes.subarray(sniffed.skip);
    if (sniffed.encoding === 'utf-32le' || sniffed.encoding === 'utf-32be') {
      const { text, damaged } = decodeUtf32(body, sniffed.encoding === 'utf-32le');
      return { text, encoding: sniffed.encoding, note: damaged ? 'some characters of the feed (UTF-32) could not be read and were replaced' : null };
    }
    if (sniffed.encoding === 'utf-8') {
      return utf8OrFallback(body, (fallback) => `the feed is marked as UTF-8 but is not valid UTF-8; it was read as ${fallback}`);
    }
    const text = strict(sniffed.encoding, body);
    if (text !== null) return { text, encoding: sniffed.encoding, note: null };
    return {
      text: new TextDecoder(sniffed.encoding).decode(body),
      encoding: sniffed.encoding,
      note: `some characters of the feed (${shown(sniffed.encoding)}) could not be read and were replaced`,
    };
  }

  // ASCII-compatible from here: the prolog can be read byte by byte.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  const prolog = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1] ?? null;
  const declaredLabel = prolog ?? charsetOf(contentType);
  const declared = canonical(declaredLabel);
  const saidBy = prolog ? 'the feed says' : 'the server says';

  if (declaredLabel && !declared) {
    return utf8OrFallback(bytes, (fallback) => `${saidBy} its text is in "${declaredLabel}", which we do not know, and it is not UTF-8 either; it was read as ${fallback}`);
  }
  if (!declared || declared === 'utf-8') {
    return utf8OrFallback(bytes, (fallback) =>
      declared ? `${saidBy} its text is UTF-8 but it is not; it was read as ${fallback}` : `the feed does not say which encoding it uses and is not UTF-8; it was read as ${fallback}`,
    );
  }
  if (declared === 'utf-16le' || declared === 'utf-16be') {
    // The prolog was readable one byte per character, so the text is not UTF-16 at all.
    const read = utf8OrFallback(bytes, (fallback) => `${saidBy} its text is UTF-16 but it is not; it was read as ${fallback}`);
    return read.note ? read : { ...read, note: `${saidBy} its text is UTF-16 but it is UTF-8; it was read as UTF-8` };
  }
  if (ONE_BYTE.test(declared) && hasHighBytes(bytes)) {
    // Text in a one-byte encoding is almost never valid UTF-8 by accident ("Ã©"-style pairs).
    const asUtf8 = strict('utf-8', bytes);
    if (asUtf8 !== null) {
      return { text: asUtf8, encoding: 'utf-8', note: `${saidBy} its text is ${shown(declaredLabel!)} but it is UTF-8; it was read as UTF-8` };
    }
  }
  const text = strict(declared, bytes);
  if (text !== null) return { text, encoding: declared, note: null };
  return {
    text: new TextDecoder(declared).decode(bytes),
    encoding: declared,
    note: `some characters of the feed (${shown(declaredLabel!)}) could not be read and were replaced`,
  };
}

/** Text from a feed's bytes (see decodeFeed); the note is left out. */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): string {
  return decodeFeed(bytes, contentType).text;
}
