// Reading a neighbour's feed into items, whatever it is: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 1.0,
// JSON Feed 1.x, CAP 1.2 (one alert, several, an EDXL-DE distribution, an Atom/RSS index of
// alerts), and the Met Office's and GOV.UK's warning feeds. Real feeds are messy, so the bytes
// are decoded by evidence, not by what they claim (decode.ts), control characters are removed,
// the format is sniffed from the body (content types lie), HTML is reduced to text only where
// a format allows HTML, and odd dates are read where they can be. At most ITEMS_MAX items are
// kept per feed, the newest. The result is the items, with notes on anything that had to be
// repaired, or a plain-words reason.
//
// This is CPU work on documents of up to 8 MB: the server never runs it on its own thread but
// through parse-off-thread.ts, which hands it to a worker.
import { decodeFeed } from './decode.ts';
import { parseJsonFeed } from './parse-json.ts';
import { FeedParseError, type FeedFormat, type ParsedItem, type ReadContext, type SourceKind } from './parse-items.ts';
import { parseXmlFeed } from './parse-xml.ts';
import { stripControlCharacters } from './text.ts';

export { decodeFeed, decodeFeedBytes } from './decode.ts';
export { ITEMS_MAX, SOURCE_KINDS, SUMMARY_MAX, TITLE_MAX } from './parse-items.ts';
export type { CapInfo, FeedFormat, ParsedItem, SourceKind, WarningInfo, WarningLevel } from './parse-items.ts';

export interface ParsedFeed {
  format: FeedFormat;
  /** The kind of publisher the feed was read as (given, or recognised from its addresses). */
  kind: SourceKind;
  title: string;
  items: ParsedItem[];
  /** What had to be repaired or left out while reading, in plain words (empty when nothing). */
  notes: string[];
}

export type ParseFeedResult = ({ ok: true } & ParsedFeed) | { ok: false; error: string };

export interface ParseFeedOptions {
  /** The Content-Type the server sent: only a hint for the character set. */
  contentType?: string | null;
  /** The address the feed was read from, for relative links. */
  url?: string;
  /** What kind of publisher the source is; left out, the Met Office's and GOV.UK's feeds are recognised by their addresses. */
  kind?: SourceKind;
  /** Who publishes it, for items with no title ("Untitled item from Rochdale Council"). */
  councilName?: string;
}

/**
 * Reads a feed. The format is sniffed from the body, not the content type. Never throws:
 * anything that is not a readable feed comes back as `{ ok: false, error }` in plain words.
 */
export function parseFeed(body: Uint8Array | string, options: ParseFeedOptions = {}): ParseFeedResult {
  try {
    const notes: string[] = [];
    let text: string;
    if (typeof body === 'string') {
      text = body;
    } else {
      const decoded = decodeFeed(body, options.contentType);
      if (decoded.note) notes.push(decoded.note);
      text = decoded.text;
    }
    text = stripControlCharacters(text);
    const start = text.replace(/^[\s\ufeff]+/, '').slice(0, 200);
    if (start === '') throw new FeedParseError('the feed is empty');
    const context: ReadContext = { url: options.url, kind: options.kind ?? 'auto', councilName: options.councilName, notes };
    let feed: { format: FeedFormat; title: string; items: ParsedItem[]; kind?: SourceKind };
    if (start.startsWith('{') || start.startsWith('[')) {
      feed = parseJsonFeed(text, context);
    } else if (start.startsWith('<')) {
      if (/^<!doctype\s+html|^<html[\s>]/i.test(start)) throw new FeedParseError('the address gives a web page, not a feed');
      feed = parseXmlFeed(text.replace(/^[\s\ufeff]+/, ''), context);
    } else {
      throw new FeedParseError('the address does not give a feed (it is neither XML nor JSON)');
    }
    return { ok: true, format: feed.format, kind: feed.kind ?? options.kind ?? 'council', title: feed.title, items: feed.items, notes };
  } catch (error) {
    if (error instanceof FeedParseError) return { ok: false, error: error.message };
    return { ok: false, error: `the feed could not be read (${error instanceof Error ? error.message : 'unknown problem'})` };
  }
}
