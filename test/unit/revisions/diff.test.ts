// diffContent: the one field-by-field diff behind the history, review and conflict views.
import { describe, expect, it } from 'vitest';
import type { AlertContent, PageContent, PlaceContent } from '../../../src/lib/revisions/content.ts';
import { changedFields, changedFirst, diffContent } from '../../../src/lib/revisions/diff.ts';

const now = new Date('2026-11-21T09:00:00Z');

const page = (overrides: Partial<PageContent> = {}): PageContent => ({
  slug: 'bad-weather-advice',
  title: 'Bad weather advice',
  summary: 'What to do in snow',
  bodyMarkdown: 'Check the school list before you set off.',
  bodyHtml: '<p class="govuk-body">Check the school list before you set off.</p>',
  retired: false,
  ...overrides,
});

const place = (overrides: Partial<PlaceContent> = {}): PlaceContent => ({
  serviceId: 1, slug: 'hill-top-primary', identifier: '107000', name: 'Hill Top Primary', category: 'Primary',
  address: '1 Hill Top', postcode: 'HD1 1AA', ward: 'Almondbury', latitude: 53.6, longitude: -1.7,
  status: 'open', noteMarkdown: '', noteHtml: '', statusFrom: null, statusUntil: null, confirmedAt: null, retired: false,
  ...overrides,
});

const alert = (overrides: Partial<AlertContent> = {}): AlertContent => ({
  severity: 'warning', headline: 'Snow expected overnight', bodyMarkdown: 'Gritters are out.', bodyHtml: '',
  area: 'Kirklees', serviceSlugs: ['roads-and-gritting'], startsAt: '2026-11-21T06:00:00.000Z', expiresAt: null, retired: false,
  ...overrides,
});

describe('diffContent', () => {
  it('lists every field of the kind, unchanged ones included and marked unchanged', () => {
    const diffs = diffContent('page', page(), page({ title: 'Snow advice' }), now);
    expect(diffs.map((d) => d.field)).toEqual(['title', 'summary', 'bodyMarkdown', 'slug', 'retired']);
    expect(diffs.filter((d) => !d.changed).map((d) => d.field)).toEqual(['summary', 'bodyMarkdown', 'slug', 'retired']);
    const summary = diffs.find((d) => d.field === 'summary')!;
    expect(summary).toMatchObject({ label: 'Summary', before: 'What to do in snow', after: 'What to do in snow', parts: null });
  });

  it('marks the words added and removed in a changed text field', () => {
    const [, , body] = diffContent('page', page(), page({ bodyMarkdown: 'Check the closures list before you leave.' }), now);
    expect(body!.changed).toBe(true);
    const removed = body!.parts!.filter((p) => p.removed).map((p) => p.value.trim());
    const added = body!.parts!.filter((p) => p.added).map((p) => p.value.trim());
    expect(removed).toEqual(['school', 'set off']);
    expect(added).toEqual(['closures', 'leave']);
    // The parts rebuild both versions: unchanged words stay as context, in order.
    expect(body!.parts!.filter((p) => !p.added).map((p) => p.value).join('')).toBe('Check the school list before you set off.');
    expect(body!.parts!.filter((p) => !p.removed).map((p) => p.value).join('')).toBe('Check the closures list before you leave.');
  });

  it('compares non-text fields as whole values, in words a person reads', () => {
    const status = diffContent('place', place(), place({ status: 'closed' }), now).find((d) => d.field === 'status')!;
    expect(status).toMatchObject({ label: 'Status', before: 'Open', after: 'Closed', changed: true, parts: null });
  });

  it('shows times in London time', () => {
    const until = diffContent('place', place(), place({ statusUntil: '2026-11-21T15:30:00.000Z' }), now).find((d) => d.field === 'statusUntil')!;
    expect(until).toMatchObject({ before: '', after: '3:30pm today', changed: true });
  });

  it('treats everything with a value as changed when there is no earlier version', () => {
    const diffs = diffContent('alert', null, alert(), now);
    expect(diffs.every((d) => d.before === '')).toBe(true);
    expect(changedFields(diffs).map((d) => d.field)).toEqual(['headline', 'severity', 'bodyMarkdown', 'area', 'serviceSlugs', 'startsAt', 'retired']);
    // An empty field was not "changed" into being empty.
    expect(diffs.find((d) => d.field === 'expiresAt')).toMatchObject({ changed: false, after: '' });
    // New text is all added words.
    expect(diffs.find((d) => d.field === 'headline')!.parts).toEqual([{ value: 'Snow expected overnight', added: true, removed: false }]);
  });

  it('finds no changes between identical versions', () => {
    expect(changedFields(diffContent('place', place(), place(), now))).toEqual([]);
  });
});

describe('a place’s phone and website in the diff', () => {
  it('reads a revision written before places had them as having none, not as a change', () => {
    const older = place();
    expect(changedFields(diffContent('place', older, place({ phone: null, website: null }), now))).toEqual([]);
  });

  it('shows a phone or website added, as typed', () => {
    const changed = changedFields(diffContent('place', place(), place({ phone: '01484 221000', website: 'https://school.example' }), now));
    expect(changed.map((d) => [d.label, d.before, d.after])).toEqual([
      ['Phone', '', '01484 221000'],
      ['Website', '', 'https://school.example'],
    ]);
  });
});

describe('status reasons and expected reopening in the diff', () => {
  it('labels them, and reads a revision written before places had them as having none', () => {
    const { reason: _r, expectedReopeningAt: _e, ...older } = place();
    expect(changedFields(diffContent('place', older as PlaceContent, place({ reason: null, expectedReopeningAt: null }), now))).toEqual([]);
    const changed = changedFields(diffContent('place', older as PlaceContent, place({ reason: 'snow_and_ice', expectedReopeningAt: '2026-11-23T08:00:00.000Z' }), now));
    expect(changed.map((d) => [d.label, d.before, d.after])).toEqual([
      ['Reason', '', 'Snow and ice'],
      ['Expected to reopen', '', '8:00am Monday 23 November'],
    ]);
  });
});

describe('changedFirst', () => {
  it('puts the changed fields first and the unchanged ones after, each in the usual order', () => {
    const diffs = diffContent('place', place(), place({ name: 'Hill Top Primary School', status: 'closed', reason: 'flooding' }), now);
    const { changed, unchanged } = changedFirst(diffs);
    expect(changed.map((d) => d.field)).toEqual(['status', 'reason', 'name']);
    expect(unchanged.map((d) => d.field)).toEqual(diffs.filter((d) => !d.changed).map((d) => d.field));
    expect(unchanged[0]!.field).toBe('noteMarkdown');
    expect(changed.length + unchanged.length).toBe(diffs.length);
  });
});
