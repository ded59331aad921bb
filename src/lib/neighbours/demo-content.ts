// The demo's neighbouring councils and national warning sources (content/neighbours.yaml) and
// their sample feeds (content/neighbour-feeds/): read and validated strictly, like the rest of
// content/, and served by this site so the coverage screen works with no network. Feed files
// hold time placeholders — `{{now-2h}}`, `{{now}}`, `{{now+6h}}`, `{{end-of-day}}` — filled
// when the file is served, so the demo is always "this morning".
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError, resolveOffset } from '../content/demo.ts';
import { NotFoundError } from '../errors.ts';
import { SOURCE_KINDS } from './parse-items.ts';
import { formatMetOfficeTime } from './parse-warnings.ts';

export const DEMO_FEEDS_PATH = '/demo/neighbour-feeds';
const FEEDS_FOLDER = 'neighbour-feeds';

/** A sample feed's file name: lowercase, one of the formats we serve, no folders. */
export const DEMO_FEED_FILE = /^[a-z0-9]+(?:-[a-z0-9]+)*\.(rss|rdf|atom|json|xml)$/;

const CONTENT_TYPES: Record<string, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  rdf: 'application/rdf+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  xml: 'application/cap+xml; charset=utf-8',
};

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'must be lowercase words joined by hyphens' });

const neighboursSchema = z.array(
  z.object({
    slug,
    name: z.string().min(1).max(100),
    website: z.url(),
    /** Who publishes the feeds: a neighbouring council (the default), the Met Office, or GOV.UK's emergency alerts. */
    kind: z.enum(SOURCE_KINDS).default('council'),
    feeds: z
      .array(
        z.object({
          title: z.string().min(1).max(100),
          file: z.string().regex(DEMO_FEED_FILE, { error: 'must be a file name like rochdale-news.rss' }),
          /** The region a regional feed covers (the Met Office's are per region): "Yorkshire & Humber". */
          region: z.string().min(1).max(100).optional(),
        }),
      )
      .min(1),
  }),
);

export type DemoSource = z.infer<typeof neighboursSchema>[number];
/** A neighbouring council of the demo (`kind: council`). */
export type DemoNeighbour = DemoSource & { kind: 'council' };

/** Reads and checks content/neighbours.yaml: unique slugs and files, and every file exists. */
export async function loadDemoNeighbours(dir = 'content'): Promise<DemoNeighbour[]> {
  return (await loadDemoSources(dir)).filter((source): source is DemoNeighbour => source.kind === 'council');
}

/**
 * Every publisher in content/neighbours.yaml — the councils and the national warning sources
 * (`kind: met-office-warnings`, `kind: gov-uk-alerts`) — checked like loadDemoNeighbours.
 */
export async function loadDemoSources(dir = 'content'): Promise<DemoSource[]> {
  const parsed = neighboursSchema.safeParse(parseYaml(await readFile(join(dir, 'neighbours.yaml'), 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ContentError(`neighbours.yaml: ${problems}`);
  }
  const slugs = new Set<string>();
  const files = new Set<string>();
  for (const council of parsed.data) {
    if (slugs.has(council.slug)) throw new ContentError(`neighbours.yaml: "${council.slug}" appears more than once`);
    slugs.add(council.slug);
    for (const feed of council.feeds) {
      if (files.has(feed.file)) throw new ContentError(`neighbours.yaml: feed file "${feed.file}" appears more than once`);
      files.add(feed.file);
      await access(join(dir, FEEDS_FOLDER, feed.file)).catch(() => {
        throw new ContentError(`neighbours.yaml: ${council.slug} feed "${feed.title}": no file ${FEEDS_FOLDER}/${feed.file}`);
      });
    }
  }
  return parsed.data;
}

/** Where the running site serves a sample feed. */
export function demoFeedUrl(siteUrl: string, file: string): string {
  return `${siteUrl.replace(/\/+$/, '')}${DEMO_FEEDS_PATH}/${file}`;
}

export type PlaceholderFormat = 'rfc822' | 'iso' | 'met-office' | 'gov-uk' | 'date';

const LONDON_STAMP = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});

/**
 * "Sun, 22 Nov 2026 07:00:00 GMT" (rfc822: RSS 0.9x/2.0), "2026-11-22T07:00:00+00:00" (iso:
 * everything else, CAP included), and the national feeds' own ways: "0700 Sun 22 Nov"
 * (met-office, London time), "2026-11-22 07:00 GMT" (gov-uk, London time with GMT or BST),
 * "2026-11-22" (date, London).
 */
function formatFeedDate(date: Date, format: PlaceholderFormat): string {
  if (format === 'rfc822') return date.toUTCString();
  if (format === 'met-office') return formatMetOfficeTime(date);
  if (format === 'gov-uk' || format === 'date') {
    const p = Object.fromEntries(LONDON_STAMP.formatToParts(date).map((part) => [part.type, part.value]));
    const zone = p.timeZoneName === 'GMT+1' || p.timeZoneName === 'BST' ? 'BST' : 'GMT';
    return format === 'date' ? `${p.year}-${p.month}-${p.day}` : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${zone}`;
  }
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * Fills `{{now}}`, `{{now-2h}}`, `{{now+6h}}`, `{{end-of-day}}` (optionally `|rfc822`, `|iso`,
 * `|met-office`, `|gov-uk` or `|date`) relative to `anchor`, in the date format the file type
 * needs.
 */
export function fillTimePlaceholders(text: string, anchor: Date, format: 'rfc822' | 'iso'): string {
  return text.replace(
    /\{\{\s*(now|now[+-]\d+[mhd]|end-of-day)\s*(?:\|\s*(rfc822|iso|met-office|gov-uk|date)\s*)?\}\}/g,
    (_whole, when: string, explicit?: string) => {
      const date = when === 'now' ? anchor : resolveOffset(when === 'end-of-day' ? when : when.slice(3), anchor);
      return formatFeedDate(date, (explicit as PlaceholderFormat | undefined) ?? format);
    },
  );
}

/**
 * The instant placeholders are filled from. Held steady for a while rather than taken from
 * each request, so the same item keeps the same date from one poll to the next (and the feed
 * can answer 304); moved on after 12 hours so a long-running demo stays "today".
 */
let anchor: Date | null = null;
const ANCHOR_LIFETIME_MS = 12 * 3_600_000;
function demoAnchor(now: Date): Date {
  if (!anchor || now.getTime() - anchor.getTime() > ANCHOR_LIFETIME_MS || anchor.getTime() > now.getTime()) {
    anchor = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  }
  return anchor;
}

export interface DemoFeedDocument {
  body: string;
  contentType: string;
  etag: string;
}

/** A sample feed with its times filled in; NotFoundError for any name that is not one. */
export async function loadDemoFeed(file: string, now: Date, dir = 'content'): Promise<DemoFeedDocument> {
  const match = DEMO_FEED_FILE.exec(file);
  if (!match) throw new NotFoundError(`No demo feed ${file}`);
  let raw: string;
  try {
    raw = await readFile(join(dir, FEEDS_FOLDER, file), 'utf8');
  } catch {
    throw new NotFoundError(`No demo feed ${file}`);
  }
  const extension = match[1]!;
  const body = fillTimePlaceholders(raw, demoAnchor(now), extension === 'rss' ? 'rfc822' : 'iso');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType: CONTENT_TYPES[extension]!, etag };
}

/** The HTTP answer for a sample feed, with an ETag so pollers can ask "has it changed?". */
export async function respondWithDemoFeed(file: string, ifNoneMatch: string | null, now: Date): Promise<Response> {
  const document = await loadDemoFeed(file, now);
  const headers = { ETag: document.etag, 'Cache-Control': 'no-cache' };
  const tags = (ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes(document.etag) || tags.includes('*')) return new Response(null, { status: 304, headers });
  return new Response(document.body, { headers: { ...headers, 'Content-Type': document.contentType } });
}
