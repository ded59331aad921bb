// Two national publishers read as sources beside the councils: the Met Office's weather
// warnings (RSS 2.0) and GOV.UK's Emergency Alerts (Atom). Their formats, as their public
// descriptions and published readers show them — neither is formally specified, so every
// field is optional here and an entry that does not fit is read as a plain item:
//
// Met Office, https://www.metoffice.gov.uk/public/data/PWSCache/WarningsRSS/Region/<code>
// (UK, or a region: yh Yorkshire & Humber, nw North West England, se London & South East…).
// One <item> per warning and day: <title> "Amber warning of snow affecting Yorkshire &
// Humber"; <description> the title, ": ", the local authorities comma-separated, then "valid
// from 0600 Sun 22 Nov to 1200 Sun 22 Nov" (no year, no zone: read as London time, the year
// the one nearest the item's date); <link> the warnings page with "#?date=2026-11-22&id=<uuid>"
// (the uuid is the warning's; a warning over several days repeats it, and is read as one
// item); <pubDate> when it was issued. Zero items when nothing is in force.
//
// GOV.UK Emergency Alerts, https://www.gov.uk/alerts/feed.atom: every alert since 2021,
// current and past. An <entry> per alert: <title> the areas it was sent to; <summary> with
// the times, "Sent: … [2026-11-22 05:10 GMT]" and, once it ended, "Stopped: … […]";
// <content type="xhtml"> the message, a paragraph each ("Issued by …", the message, "Stopped
// sending at …"); <published>. Alerts have no colour (each is a danger to life); operator
// tests ("This is a test") are left out.
import { parseFeedDate } from './dates.ts';
import { parseLondonLocal } from '../time/london.ts';
import {
  asArray,
  attr,
  finishItem,
  hashKey,
  isNode,
  plainOf,
  rawText,
  safeLink,
  textOf,
  type ParsedItem,
  type ReadContext,
  type SourceKind,
  type WarningInfo,
  type WarningLevel,
  type XmlNode,
} from './parse-items.ts';
import { collapseWhitespace, htmlToText } from './text.ts';

/** The prefix of the keys of Met Office warnings (`met-office:<warning id>`), so a reader can find them. */
export const MET_OFFICE_KEY_PREFIX = 'met-office:';
/** The prefix of the keys of GOV.UK emergency alerts (`gov-uk-alert:<alert id>`). */
export const GOV_UK_ALERT_KEY_PREFIX = 'gov-uk-alert:';

const LEVEL_RANK: Record<WarningLevel, number> = { yellow: 1, amber: 2, red: 3 };

// ——— which kind of feed ———

function hostOf(url: string | null | undefined): string {
  try {
    return url ? new URL(url).hostname.toLowerCase() : '';
  } catch {
    return '';
  }
}

const isMetOffice = (url: string | null | undefined) => /(?:^|\.)metoffice\.gov\.uk$/.test(hostOf(url));
const isGovUkAlerts = (url: string | null | undefined) => {
  try {
    const parsed = new URL(url ?? '');
    return parsed.hostname.toLowerCase() === 'www.gov.uk' && /^\/alerts(?:\/|\.|$)/.test(parsed.pathname);
  } catch {
    return false;
  }
};

/**
 * Which kind of publisher a feed is from, when the source does not say: by the address it was
 * read from, else by the addresses the feed gives for itself (its <link>s and <id>), so the
 * demo's copies served from this site are recognised too.
 */
export function detectSourceKind(url: string | undefined, rootName: string | undefined, root: XmlNode | undefined): SourceKind {
  if (isMetOffice(url)) return 'met-office-warnings';
  if (isGovUkAlerts(url)) return 'gov-uk-alerts';
  if (!root) return 'council';
  const channel = rootName === 'rss' ? (asArray(root['channel'] as XmlNode[]).find(isNode) ?? root) : root;
  const own = [
    ...asArray(channel['link'] as unknown[]).map((link) => attr(link, 'href') ?? rawText(link).trim()),
    rawText(channel['id']).trim(),
  ];
  if (rootName === 'rss' && own.some(isMetOffice)) return 'met-office-warnings';
  if (rootName === 'feed' && own.some(isGovUkAlerts)) return 'gov-uk-alerts';
  return 'council';
}

// ——— Met Office ———

const MET_TITLE = /^\s*(Yellow|Amber|Red)\s+warnings?\s+of\s+(.+?)\s+affecting\s+(.+?)\s*$/i;
const MET_STAMP = String.raw`(\d{2})(\d{2})\s+[A-Za-z]{3,9}\s+(\d{1,2})\s+([A-Za-z]{3,9})`;
const MET_VALID = new RegExp(String.raw`\s*valid\s+from\s+${MET_STAMP}\s+to\s+${MET_STAMP}\s*\.?\s*$`, 'i');
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "0600 Sun 22 Nov", London time, in the year that puts it nearest `anchor`. */
function metOfficeTime(hh: string, mm: string, day: string, month: string, anchor: Date): Date | null {
  const monthIndex = MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  if (monthIndex < 0) return null;
  const year = anchor.getUTCFullYear();
  const candidates = [year - 1, year, year + 1]
    .map((y) => parseLondonLocal(`${y}-${pad(monthIndex + 1)}-${pad(Number(day))}T${hh}:${mm}`))
    .filter((d): d is Date => d !== null);
  candidates.sort((a, b) => Math.abs(a.getTime() - anchor.getTime()) - Math.abs(b.getTime() - anchor.getTime()));
  return candidates[0] ?? null;
}

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', hourCycle: 'h23', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});

/** An instant as the Met Office writes it: "0600 Sun 22 Nov", London time. */
export function formatMetOfficeTime(date: Date): string {
  const parts = Object.fromEntries(LONDON_PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.hour}${parts.minute} ${parts.weekday} ${parts.day} ${parts.month}`;
}

/**
 * A Met Office warning from its title and description (as the feed gives them, or as stored):
 * level, hazard, region, the local authorities, and when it is valid. Null when the title is
 * not a warning's.
 */
export function readMetOfficeWarning(title: string, description: string, anchor: Date): WarningInfo | null {
  const heading = MET_TITLE.exec(title);
  if (!heading) return null;
  const valid = MET_VALID.exec(description);
  const beforeValid = valid ? description.slice(0, valid.index) : description;
  const colon = beforeValid.indexOf(': ');
  const areas = colon >= 0 ? beforeValid.slice(colon + 2).split(',').map((a) => collapseWhitespace(a)).filter(Boolean) : [];
  return {
    issuer: 'met-office',
    level: heading[1]!.toLowerCase() as WarningLevel,
    hazard: heading[2]!.toLowerCase(),
    region: heading[3]!,
    areas,
    validFrom: valid ? metOfficeTime(valid[1]!, valid[2]!, valid[3]!, valid[4]!, anchor) : null,
    validTo: valid ? metOfficeTime(valid[5]!, valid[6]!, valid[7]!, valid[8]!, anchor) : null,
  };
}

/** The description a Met Office warning is stored with, in the Met Office's own words and format. */
function metOfficeDescription(title: string, warning: WarningInfo): string {
  const areas = warning.areas.length > 0 ? `: ${warning.areas.join(', ')}` : '';
  const valid = warning.validFrom && warning.validTo ? ` valid from ${formatMetOfficeTime(warning.validFrom)} to ${formatMetOfficeTime(warning.validTo)}` : '';
  return `${title}${areas}${valid}`;
}

/** The warning's own id and date from its link ("…#?date=2026-11-22&id=<uuid>&referrer=rss"). */
function metOfficeLinkParams(link: string): { id: string | null; date: Date | null } {
  const query = link.slice(link.indexOf('?') + 1);
  const params = new URLSearchParams(link.includes('?') ? query : '');
  const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(params.get('id') ?? '')?.[0]?.toLowerCase() ?? null;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '') ? new Date(`${params.get('date')}T12:00:00Z`) : null;
  return { id, date };
}

/** One item of the Met Office's feed; null when it is not one of its warnings (read as a plain item instead). */
export function metOfficeItem(item: XmlNode, context: ReadContext, now: Date): ParsedItem | null {
  const title = textOf(item['title']);
  const description = textOf(item['description']);
  const linkText = rawText(asArray(item['link'] as unknown[])[0]).trim();
  const link = safeLink(linkText, context.url);
  const rawDate = rawText(item['pubDate']) || rawText(item['date']);
  const params = metOfficeLinkParams(linkText);
  const anchor = params.date ?? parseFeedDate(rawDate) ?? now;
  const warning = readMetOfficeWarning(title, description, anchor);
  if (!warning) return null;
  const guid = rawText(item['guid']).trim();
  const id = params.id ?? (guid || link || hashKey(title, description));
  return finishItem(
    { id, key: `${MET_OFFICE_KEY_PREFIX}${id}`, title, summary: metOfficeDescription(title, warning), link, rawDate, warning },
    context,
  );
}

/** One warning over several days comes as one item a day: read as one, from its first start to its last end. */
export function mergeMetOfficeDays(kept: ParsedItem, next: ParsedItem): ParsedItem {
  const a = kept.warning;
  const b = next.warning;
  if (!a || !b) return kept;
  const earliest = (x: Date | null, y: Date | null) => (!x ? y : !y ? x : x < y ? x : y);
  const latest = (x: Date | null, y: Date | null) => (!x ? y : !y ? x : x > y ? x : y);
  const stronger = (b.level && a.level && LEVEL_RANK[b.level] > LEVEL_RANK[a.level]) ? next : kept;
  const warning: WarningInfo = {
    ...stronger.warning!,
    areas: [...new Set([...a.areas, ...b.areas])],
    validFrom: earliest(a.validFrom, b.validFrom),
    validTo: latest(a.validTo, b.validTo),
  };
  const firstDay = a.validFrom && b.validFrom && b.validFrom < a.validFrom ? next : kept;
  return {
    ...stronger,
    summary: metOfficeDescription(stronger.title, warning),
    link: firstDay.link,
    publishedAt: latest(kept.publishedAt, next.publishedAt),
    warning,
  };
}

// ——— GOV.UK Emergency Alerts ———

const EA_STAMP = String.raw`\[(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::\d{2})?\s*(BST|GMT|UTC|Z)?\]`;
const EA_SENT = new RegExp(String.raw`Sent\b[^\[]*${EA_STAMP}`, 'i');
const EA_STOPPED = new RegExp(String.raw`Stopped\b[^\[]*${EA_STAMP}`, 'i');
const EA_STOPPED_LINE = /^\s*Stopped sending\b/i;
const EA_ISSUER_LINE = /^\s*(?:Issued by|From)\b[^.]*\.?\s*$/i;
/** Operator tests share the feed; "prawf" is the Welsh. */
const EA_TEST = /\b(?:this is a test|a test of emergency alerts|operator test|prawf)\b/i;

function emergencyAlertTime(match: RegExpExecArray | null): Date | null {
  if (!match) return null;
  const [, y, mo, d, h, mi, zone] = match;
  const offset = zone?.toUpperCase() === 'BST' ? 60 : 0;
  if (!zone) return parseLondonLocal(`${y}-${mo}-${d}T${h}:${mi}`);
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - offset * 60_000);
}

/** The message's paragraphs: <p> elements of the content, or its text as one paragraph. */
function paragraphs(content: unknown): string[] {
  // XHTML content is kept as raw markup (parse-xml.ts stops at <div>); escaped HTML is decoded once here.
  const div = isNode(content) ? content['div'] : undefined;
  const markup = typeof div === 'string' ? div : isNode(div) && typeof div['#text'] === 'string' ? div['#text'] : rawText(content);
  const found = [...markup.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p\s*>/gi)].map((m) => htmlToText(m[1]!));
  return (found.length > 0 ? found : [htmlToText(markup)]).filter(Boolean);
}

/** One GOV.UK emergency alert; false for an operator test; null when it is not shaped like one. */
export function govUkAlertItem(entry: XmlNode, context: ReadContext): ParsedItem | null | false {
  const id = rawText(entry['id']).trim();
  const region = plainOf(entry['title']);
  const summary = textOf(entry['summary']);
  const lines = paragraphs(entry['content']).filter((line) => !EA_STOPPED_LINE.test(line));
  const message = lines.filter((line) => !EA_ISSUER_LINE.test(line)).join(' ');
  if (!id && !region && !message) return null;
  if (EA_TEST.test(message) || EA_TEST.test(region)) return false;
  const links = asArray(entry['link'] as unknown[]);
  const alternate = links.find((link) => (attr(link, 'rel') ?? 'alternate') === 'alternate');
  const link = safeLink(attr(alternate, 'href'), context.url) ?? safeLink(id, undefined);
  const published = rawText(entry['published']) || rawText(entry['updated']);
  const sent = emergencyAlertTime(EA_SENT.exec(summary)) ?? parseFeedDate(published);
  const stopped = emergencyAlertTime(EA_STOPPED.exec(summary));
  const headline = /^[\s\S]*?[.!?](?=\s|$)/.exec(message)?.[0] ?? message;
  const tail = id.replace(/\/+$/, '').split(/[/:]/).pop() || hashKey(region, published);
  const warning: WarningInfo = { issuer: 'gov-uk-alerts', level: null, hazard: null, region: region || null, areas: [], validFrom: sent, validTo: stopped };
  return finishItem(
    {
      id,
      key: `${GOV_UK_ALERT_KEY_PREFIX}${tail}`,
      title: headline ? `Emergency alert: ${headline}` : `Emergency alert for ${region || 'an area'}`,
      summary: [message, region ? `Sent to: ${region}.` : ''].filter(Boolean).join(' '),
      link,
      rawDate: sent ? sent.toISOString() : published,
      warning,
    },
    context,
  );
}
