// The demo council as data: reads and validates everything in content/ (see content/README.md).
// Validation is strict so a typo in a CSV fails loudly in a test, not silently on a live site.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALERT_SEVERITIES, PLACE_STATUSES, STATUS_REASONS } from '../../../db/schema/index.ts';
import { phoneField, websiteField } from '../places/validation.ts';
import { endOfLondonDay } from '../time/london.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'must be lowercase words joined by hyphens' });
const offset = z.string().regex(/^(?:[+-]\d+[mhd]|end-of-day)$/, { error: 'must be like "-45m", "+10h", "-1d" or "end-of-day"' });

const councilSchema = z.object({
  name: z.string().min(1),
  shortName: z.string().min(1),
  siteName: z.string().min(1),
  websiteUrl: z.url(),
  contactPhone: z.string().min(1),
  outOfHoursPhone: z.string().min(1).optional(),
  brandColour: z.string().regex(/^#[0-9a-f]{6}$/, { error: 'must be # and six lower-case hex digits, like "#00526c"' }).optional(),
  hashtag: z.string().regex(/^#[A-Za-z][A-Za-z0-9_]{0,49}$/, { error: 'must be "#" then letters, numbers and underscores, like "#KirkleesSnow"' }).optional(),
  confirmBy: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a 24-hour time, like "07:30"' }).optional(),
  advicePage: slug.optional(),
});

const serviceSchema = z.object({
  slug,
  name: z.string().min(1),
  summary: z.string().min(1),
  order: z.number().int(),
  placeLabel: z.string().min(1),
  placeLabelPlural: z.string().min(1),
  /** Phrases that say a neighbouring council's item is about this service (classification). */
  keywords: z.array(z.string().trim().toLowerCase().min(1).max(60)).default([]),
  /** A neighbour's item about it that we have not covered is urgent (editors are told at once). */
  coverageUrgent: z.boolean().default(false),
  /** Its public page shows "What neighbouring councils are saying". */
  showNeighbours: z.boolean().default(false),
});

const coordinate = z.preprocess((v) => (v === '' ? null : Number(v)), z.number().nullable());
const placeRowSchema = z.object({
  slug,
  name: z.string().min(1),
  identifier: z.string().transform((v) => (v.trim() === '' ? null : v.trim())),
  category: z.string(),
  address: z.string(),
  postcode: z.string(),
  ward: z.string(),
  latitude: coordinate,
  longitude: coordinate,
  // Optional columns: the same rules as the staff form.
  phone: z.string().default('').pipe(phoneField),
  website: z.string().default('').pipe(websiteField),
});

const scenarioSchema = z.object({
  places: z.array(
    z.object({
      service: slug,
      place: slug,
      status: z.enum(PLACE_STATUSES),
      note: z.string().max(500).default(''),
      confirmed: offset,
      until: offset.optional(),
      reason: z.enum(STATUS_REASONS).optional(),
      /** The day it expects to reopen, as an offset ("+1d": the London day after the load day, from midnight). */
      reopens: offset.optional(),
    }),
  ),
  alerts: z.array(
    z.object({
      key: slug,
      severity: z.enum(ALERT_SEVERITIES),
      headline: z.string().min(1).max(120),
      body: z.string().default(''),
      area: z.string().default(''),
      services: z.array(slug).default([]),
      starts: offset,
      expires: offset.optional(),
    }),
  ),
});

const pageFrontmatterSchema = z.object({ title: z.string().min(1), summary: z.string().default('') });

export type DemoCouncil = z.infer<typeof councilSchema>;
export type DemoService = z.infer<typeof serviceSchema> & { places: DemoPlace[] };
export type DemoPlace = z.infer<typeof placeRowSchema>;
export type DemoScenario = z.infer<typeof scenarioSchema>;
export interface DemoPage {
  slug: string;
  title: string;
  summary: string;
  bodyMarkdown: string;
}
export interface DemoContent {
  council: DemoCouncil;
  services: DemoService[];
  scenario: DemoScenario;
  pages: DemoPage[];
}

export class ContentError extends Error {
  override name = 'ContentError';
}

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ContentError(`${where}: ${problems}`);
  }
  return result.data;
}

/** Reads and validates the whole content folder, including cross-references. */
export async function loadDemoContent(dir = 'content'): Promise<DemoContent> {
  const council = check(councilSchema, parseYaml(await readFile(join(dir, 'council.yaml'), 'utf8')), 'council.yaml');
  const serviceRows = check(z.array(serviceSchema), parseYaml(await readFile(join(dir, 'services.yaml'), 'utf8')), 'services.yaml');
  const services: DemoService[] = [];
  for (const service of serviceRows) {
    const file = join(dir, 'places', `${service.slug}.csv`);
    const rows: unknown[] = parseCsv(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
    const placesOfService = rows.map((row, i) => check(placeRowSchema, row, `places/${service.slug}.csv row ${i + 2}`));
    assertUnique(placesOfService.map((p) => p.slug), `places/${service.slug}.csv slugs`);
    assertUnique(placesOfService.flatMap((p) => (p.identifier ? [p.identifier] : [])), `places/${service.slug}.csv identifiers`);
    services.push({ ...service, places: placesOfService });
  }
  assertUnique(services.map((s) => s.slug), 'services.yaml slugs');
  for (const service of services) assertUnique(service.keywords, `services.yaml ${service.slug} keywords`);

  const scenario = check(scenarioSchema, parseYaml(await readFile(join(dir, 'scenario.yaml'), 'utf8')), 'scenario.yaml');
  for (const entry of scenario.places) {
    const service = services.find((s) => s.slug === entry.service);
    if (!service) throw new ContentError(`scenario.yaml: unknown service "${entry.service}"`);
    if (!service.places.some((p) => p.slug === entry.place)) {
      throw new ContentError(`scenario.yaml: no place "${entry.place}" in ${entry.service}`);
    }
  }
  assertUnique(scenario.places.map((p) => `${p.service}/${p.place}`), 'scenario.yaml places');
  for (const alert of scenario.alerts) {
    for (const s of alert.services) {
      if (!services.some((x) => x.slug === s)) throw new ContentError(`scenario.yaml alert ${alert.key}: unknown service "${s}"`);
    }
  }

  const pages: DemoPage[] = [];
  for (const name of (await readdir(join(dir, 'pages'))).filter((f) => f.endsWith('.md')).sort()) {
    const raw = await readFile(join(dir, 'pages', name), 'utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
    if (!match) throw new ContentError(`pages/${name}: missing frontmatter`);
    const front = check(pageFrontmatterSchema, parseYaml(match[1]!), `pages/${name}`);
    pages.push({ slug: check(slug, name.replace(/\.md$/, ''), `pages/${name} file name`), ...front, bodyMarkdown: match[2]!.trim() });
  }
  if (council.advicePage && !pages.some((p) => p.slug === council.advicePage)) {
    throw new ContentError(`council.yaml: advicePage "${council.advicePage}" is not a page in pages/`);
  }
  return { council, services, scenario, pages };
}

function assertUnique(values: string[], where: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new ContentError(`${where}: "${v}" appears more than once`);
    seen.add(v);
  }
}

/** How much of the day must be left for "end-of-day" to mean today rather than tomorrow. */
const END_OF_DAY_MINIMUM_MS = 6 * 3_600_000;

/**
 * The start (00:00 London time) of the day a scenario offset lands on: "reopens: +1d" is
 * tomorrow, read as "Expected to reopen: Tomorrow". (On a day the clocks change it is an hour
 * out, which a demo can live with.)
 */
export function resolveDayStart(value: string, now: Date): Date {
  return new Date(endOfLondonDay(resolveOffset(value, now)).getTime() + 60_000 - 86_400_000);
}

/**
 * Resolves a scenario time ("-45m", "+10h", "-1d", "end-of-day") against the load time.
 * "end-of-day" is 23:59 London time today — or tomorrow when today has under six hours left,
 * so a demo loaded late in the evening still shows a snow day rather than lapsing at once.
 */
export function resolveOffset(value: string, now: Date): Date {
  if (value === 'end-of-day') {
    const today = endOfLondonDay(now);
    return today.getTime() - now.getTime() >= END_OF_DAY_MINIMUM_MS ? today : endOfLondonDay(new Date(now.getTime() + 86_400_000));
  }
  const match = /^([+-])(\d+)([mhd])$/.exec(value);
  if (!match) throw new ContentError(`bad time offset "${value}"`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[3] as 'm' | 'h' | 'd'];
  return new Date(now.getTime() + (match[1] === '-' ? -1 : 1) * Number(match[2]) * unit);
}
