// The demo council in content/ is data the product ships: check it the way the loader will,
// plus what the loader cannot know (wards and postcode districts are real, links resolve).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadDemoContent, resolveOffset, type DemoContent } from '../../../src/lib/content/demo.ts';

const geo = 'content/geo';
const column = (file: string, name: string) =>
  (parseCsv(readFileSync(`${geo}/${file}`, 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => r[name]!);

let content: DemoContent;
beforeAll(async () => {
  content = await loadDemoContent('content');
});

describe('the demo council content', () => {
  it('loads and validates', () => {
    expect(content.council.name).toBe('Kirklees Council');
    expect(content.services.map((s) => s.slug)).toEqual([
      'schools', 'roads-and-gritting', 'waste-and-recycling', 'leisure-centres', 'libraries', 'day-centres',
    ]);
  });

  it('lists at least 150 schools, each with a URN, phase, address, postcode, ward and coordinates', () => {
    const schools = content.services.find((s) => s.slug === 'schools')!.places;
    expect(schools.length).toBeGreaterThanOrEqual(150);
    for (const school of schools) {
      expect(school.identifier, school.name).toMatch(/^\d{6}$/);
      expect(school.category, school.name).not.toBe('');
      expect(school.address, school.name).not.toBe('');
      expect(school.latitude, school.name).not.toBeNull();
      expect(school.longitude, school.name).not.toBeNull();
    }
    expect(new Set(schools.map((s) => s.name)).size).toBe(schools.length);
  });

  it('uses only real Kirklees wards and postcode districts', () => {
    const wards = new Set(column('kirklees_wards_2025.csv', 'ward_name'));
    const districts = new Set(column('kirklees_outcodes.csv', 'outcode'));
    for (const place of content.services.flatMap((s) => s.places)) {
      expect(wards.has(place.ward), `${place.name}: ward "${place.ward}"`).toBe(true);
      expect(districts.has(place.postcode.split(' ')[0]!), `${place.name}: postcode "${place.postcode}"`).toBe(true);
      expect(place.latitude! > 53.5 && place.latitude! < 53.8, `${place.name}: latitude`).toBe(true);
      expect(place.longitude! > -2.1 && place.longitude! < -1.5, `${place.name}: longitude`).toBe(true);
    }
  });

  it('has a snow-day scenario with closures, late openings, a severe alert, a gritting notice and a lapsed closure', () => {
    const now = new Date('2026-11-21T07:00:00Z');
    const statuses = content.scenario.places.filter((p) => p.service === 'schools').map((p) => p.status);
    expect(statuses.filter((s) => s === 'closed').length).toBeGreaterThan(5);
    expect(statuses).toContain('opening_late');
    expect(content.scenario.alerts.some((a) => a.severity === 'severe')).toBe(true);
    expect(content.scenario.alerts.some((a) => a.services.includes('roads-and-gritting') && a.severity !== 'severe')).toBe(true);
    const lapsed = content.scenario.places.filter((p) => p.until && resolveOffset(p.until, now) < now);
    expect(lapsed.length).toBeGreaterThan(0);
  });

  it('has the information pages the site links to', () => {
    const slugs = content.pages.map((p) => p.slug);
    for (const required of ['bad-weather-advice', 'accessibility-statement', 'privacy-notice', 'how-updates-are-checked', 'open-data']) {
      expect(slugs).toContain(required);
    }
  });

  it('only links to pages and services that exist', () => {
    const pageSlugs = new Set(content.pages.map((p) => p.slug));
    const serviceSlugs = new Set(content.services.map((s) => s.slug));
    const texts = [
      ...content.pages.map((p) => ({ where: `pages/${p.slug}.md`, text: p.bodyMarkdown })),
      ...content.scenario.alerts.map((a) => ({ where: `alert ${a.key}`, text: a.body })),
      ...content.scenario.places.map((p) => ({ where: `${p.service}/${p.place}`, text: p.note })),
    ];
    for (const { where, text } of texts) {
      for (const [, path] of text.matchAll(/\]\((\/[^)\s]*)\)/g)) {
        const [, section, slug] = path!.split(/[/?#]/);
        const ok = (section === 'pages' && pageSlugs.has(slug!)) || (section === 'services' && serviceSlugs.has(slug!)) || path === '/';
        expect(ok, `${where} links to ${path}`).toBe(true);
      }
    }
  });
});

describe('resolveOffset', () => {
  const now = new Date('2026-11-21T07:00:00Z');
  it('reads minutes, hours and days either side of now', () => {
    expect(resolveOffset('-45m', now).toISOString()).toBe('2026-11-21T06:15:00.000Z');
    expect(resolveOffset('+10h', now).toISOString()).toBe('2026-11-21T17:00:00.000Z');
    expect(resolveOffset('-1d', now).toISOString()).toBe('2026-11-20T07:00:00.000Z');
  });
  it('reads end-of-day as 23:59 London time', () => {
    expect(resolveOffset('end-of-day', now).toISOString()).toBe('2026-11-21T23:59:00.000Z');
  });
  it('reads end-of-day late in the evening as the end of the next day, so the demo never lapses at once', () => {
    expect(resolveOffset('end-of-day', new Date('2026-11-21T18:30:00Z')).toISOString()).toBe('2026-11-22T23:59:00.000Z');
    expect(resolveOffset('end-of-day', new Date('2026-11-21T23:59:30Z')).toISOString()).toBe('2026-11-22T23:59:00.000Z');
  });
  it('refuses anything else', () => {
    expect(() => resolveOffset('tomorrow', now)).toThrow(/bad time offset/);
  });
});
