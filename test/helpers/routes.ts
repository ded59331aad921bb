// Every route of the site as a real address: each file under src/pages, with its parameters
// filled in from the test database (a real service, place, alert, page, account, neighbour
// feed, suggestion), and the methods its source handles. Tests that walk every route (methods,
// body limits) pick up a new route by themselves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDb } from './db.ts';

const PAGES_DIR = 'src/pages';

/** Every route file, relative to src/pages with `/` separators, e.g. `staff/places/[id].astro`. */
export function routeFiles(dir = ''): string[] {
  return readdirSync(join(PAGES_DIR, dir), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return routeFiles(path);
      return /\.(astro|ts)$/.test(entry.name) ? [path] : [];
    });
}

/** Status pages (`404.astro`): reached by rewrite with the original request's method, requested directly they are only read. */
export function isStatusPage(file: string): boolean {
  return /^\d{3}\.astro$/.test(file);
}

/**
 * The methods a route's source handles: a page GET and HEAD, and POST (or another method) when
 * it tests `request.method` for it; an endpoint the methods it exports (GET brings HEAD).
 */
export function handledMethods(file: string): string[] {
  const source = readFileSync(join(PAGES_DIR, file), 'utf8');
  if (file.endsWith('.astro')) {
    const handled = new Set(['GET', 'HEAD']);
    if (!isStatusPage(file)) {
      for (const match of source.matchAll(/request\.method\s*===?\s*['"]([A-Z]+)['"]/g)) handled.add(match[1]!);
    }
    return [...handled].sort();
  }
  const exported = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:const|let|(?:async\s+)?function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|ALL)\b/g)) exported.add(match[1]!);
  if (exported.has('GET')) exported.add('HEAD');
  return [...exported].sort();
}

export interface RouteIds {
  service: string;
  placeId: number;
  placeSlug: string;
  alertId: number;
  pageId: number;
  pageSlug: string;
  accountId: number;
  neighbourSourceId: number;
  suggestionId: number;
}

async function first(t: TestDb, sql: string): Promise<Record<string, unknown> | undefined> {
  return (await t.client.execute(sql)).rows[0] as Record<string, unknown> | undefined;
}

/** Real ids from a seeded database (a suggestion or neighbour feed that is not there reads as 1). */
export async function realIds(t: TestDb): Promise<RouteIds> {
  const place = await first(t, "SELECT p.id, p.slug, s.slug AS service FROM places p JOIN services s ON s.id = p.service_id WHERE s.slug = 'schools' ORDER BY p.id LIMIT 1");
  const alert = await first(t, 'SELECT id FROM alerts ORDER BY id LIMIT 1');
  const page = await first(t, 'SELECT id, slug FROM pages ORDER BY id LIMIT 1');
  const account = await first(t, 'SELECT id FROM accounts ORDER BY id LIMIT 1');
  const source = await first(t, 'SELECT id FROM neighbour_sources ORDER BY id LIMIT 1');
  const suggestion = await first(t, 'SELECT id FROM suggestions ORDER BY id LIMIT 1');
  if (!place || !alert || !page) throw new Error('realIds needs a seeded database');
  return {
    service: String(place.service),
    placeId: Number(place.id),
    placeSlug: String(place.slug),
    alertId: Number(alert.id),
    pageId: Number(page.id),
    pageSlug: String(page.slug),
    accountId: Number(account?.id ?? 1),
    neighbourSourceId: Number(source?.id ?? 1),
    suggestionId: Number(suggestion?.id ?? 1),
  };
}

/** A real address of a route file: its parameters filled in from `ids` (by folder, then by name). */
export function samplePath(file: string, ids: RouteIds): string {
  const segments = file.replace(/\.(astro|ts)$/, '').split('/');
  if (segments.at(-1) === 'index') segments.pop();
  const folder = (i: number) => segments[i - 1] ?? '';
  const filled = segments.map((segment, i) => {
    const param = /^\[(?:\.\.\.)?([^\]]+)\]$/.exec(segment)?.[1];
    if (!param) return segment;
    if (segment.startsWith('[...')) return 'no-such-thing';
    const within = folder(i);
    if (param === 'service') return ids.service;
    if (param === 'place') return ids.placeSlug;
    if (param === 'slug') return ids.pageSlug;
    if (param === 'kind') return 'place';
    if (param === 'token') return 'not-a-real-token';
    if (param === 'file') {
      if (within === 'alerts') return `${ids.alertId}.xml`;
      if (within === 'places') return `${ids.placeId}.atom`;
      if (within === 'neighbour-feeds') return 'barnsley-winter.rss';
      return 'changes.rss';
    }
    if (param === 'id') {
      const kind = within === '[kind]' ? 'places' : within;
      if (kind === 'places') return String(ids.placeId);
      if (kind === 'alerts') return String(ids.alertId);
      if (kind === 'pages') return String(ids.pageId);
      if (kind === 'accounts') return String(ids.accountId);
      if (kind === 'neighbours') return String(ids.neighbourSourceId);
      if (kind === 'review') return String(ids.suggestionId);
    }
    return 'sample';
  });
  return '/' + filled.join('/');
}
