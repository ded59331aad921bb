// The national warning feeds read as sources: the Met Office's weather warnings (level,
// hazard, region, areas, validity in London time, one item per warning however many days it
// spans) and GOV.UK's emergency alerts (areas, sent and stopped times, tests left out), each
// recognised by its addresses; and the warnings read back from stored items for the coverage
// screen.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeed, type ParseFeedResult, type ParsedFeed } from '../../../src/lib/neighbours/parse.ts';
import { formatMetOfficeTime, readMetOfficeWarning } from '../../../src/lib/neighbours/parse-warnings.ts';
import type { NeighbourItemListing } from '../../../src/lib/neighbours/repository.ts';
import { readOfficialWarning } from '../../../src/lib/neighbours/warnings.ts';

const fixture = (name: string) => readFileSync(`test/fixtures/feeds/${name}`);
const MET_URL = 'https://www.metoffice.gov.uk/public/data/PWSCache/WarningsRSS/Region/UK';
const GOV_URL = 'https://www.gov.uk/alerts/feed.atom';

function ok(result: ParseFeedResult): ParsedFeed {
  if (!result.ok) throw new Error(`expected a feed, got: ${result.error}`);
  return result;
}

describe('the Met Office’s weather warnings', () => {
  it('reads level, hazard, region, areas and validity, one item per warning', () => {
    const feed = ok(parseFeed(fixture('met-office-uk.rss'), { url: MET_URL }));
    expect(feed.kind).toBe('met-office-warnings');
    const [snow, wind, other] = feed.items;
    expect(snow).toMatchObject({
      key: 'met-office:11111111-2222-4333-8444-555555555555',
      title: 'Amber warning of snow affecting Yorkshire & Humber',
      publishedAt: new Date('2026-11-22T05:10:00Z'),
      link: 'https://www.metoffice.gov.uk/weather/warnings-and-advice/uk-warnings#?date=2026-11-22&id=11111111-2222-4333-8444-555555555555&referrer=rss',
      warning: {
        issuer: 'met-office', level: 'amber', hazard: 'snow', region: 'Yorkshire & Humber',
        // The two days of one warning, read as one: its areas together, from the first start to the last end.
        areas: ['Calderdale', 'Kirklees', 'Leeds'],
        validFrom: new Date('2026-11-22T06:00:00Z'),
        validTo: new Date('2026-11-23T12:00:00Z'),
      },
    });
    expect(snow!.summary).toBe('Amber warning of snow affecting Yorkshire & Humber: Calderdale, Kirklees, Leeds valid from 0600 Sun 22 Nov to 1200 Mon 23 Nov');
    // July: the feed's times are London time, an hour ahead of UTC.
    expect(wind!.warning).toMatchObject({ level: 'yellow', hazard: 'wind', region: 'Wales', validFrom: new Date('2026-07-14T14:00:00Z'), validTo: new Date('2026-07-14T20:00:00Z') });
    // Not a warning's title: read as a plain item, not lost.
    expect(other).toMatchObject({ title: 'Something the Met Office has never said before' });
    expect(other!.warning).toBeUndefined();
  });

  it('is recognised by the feed’s own links when served from elsewhere (the demo)', () => {
    expect(ok(parseFeed(fixture('met-office-uk.rss'), { url: 'http://localhost:4321/demo/neighbour-feeds/x.rss' })).kind).toBe('met-office-warnings');
    expect(ok(parseFeed(fixture('met-office-uk.rss'), { kind: 'council' })).items[0]!.warning).toBeUndefined();
  });

  it('puts a warning that runs over New Year in the right years', () => {
    const warning = readMetOfficeWarning('Red warning of snow affecting Grampian', 'x: Aberdeenshire valid from 1800 Thu 31 Dec to 1200 Fri 01 Jan', new Date('2026-12-31T12:00:00Z'));
    expect(warning).toMatchObject({ level: 'red', region: 'Grampian', areas: ['Aberdeenshire'], validFrom: new Date('2026-12-31T18:00:00Z'), validTo: new Date('2027-01-01T12:00:00Z') });
  });

  it('writes times the way the Met Office does, in London time', () => {
    expect(formatMetOfficeTime(new Date('2026-11-22T06:00:00Z'))).toBe('0600 Sun 22 Nov');
    expect(formatMetOfficeTime(new Date('2026-07-14T14:00:00Z'))).toBe('1500 Tue 14 Jul');
  });
});

describe('GOV.UK emergency alerts', () => {
  it('reads the areas, the message and the sent and stopped times, leaving out operator tests', () => {
    const feed = ok(parseFeed(fixture('gov-uk-alerts.atom'), { url: GOV_URL }));
    expect(feed.kind).toBe('gov-uk-alerts');
    expect(feed.items).toEqual([
      {
        key: 'gov-uk-alert:flood-calder-2026-11-22',
        title: 'Emergency alert: Severe flood warning for the River Calder.',
        summary: 'Severe flood warning for the River Calder. There is a danger to life. Sent to: Calderdale, Kirklees.',
        link: 'https://www.gov.uk/alerts/current-alerts',
        publishedAt: new Date('2026-11-22T05:10:00Z'),
        warning: { issuer: 'gov-uk-alerts', level: null, hazard: null, region: 'Calderdale, Kirklees', areas: [], validFrom: new Date('2026-11-22T05:10:00Z'), validTo: null },
      },
      {
        key: 'gov-uk-alert:fire-2026-07-19',
        title: 'Emergency alert: Moorland fire near Penistone.',
        summary: 'Moorland fire near Penistone. Keep windows and doors closed. Sent to: Barnsley.',
        link: 'https://www.gov.uk/alerts/fire-2026-07-19',
        publishedAt: new Date('2026-07-19T13:00:00Z'),
        warning: { issuer: 'gov-uk-alerts', level: null, hazard: null, region: 'Barnsley', areas: [], validFrom: new Date('2026-07-19T13:00:00Z'), validTo: new Date('2026-07-19T17:30:00Z') },
      },
    ]);
  });

  it('is recognised by the feed’s id when served from elsewhere', () => {
    expect(ok(parseFeed(fixture('gov-uk-alerts.atom'), { url: 'http://localhost:4321/demo/neighbour-feeds/a.atom' })).kind).toBe('gov-uk-alerts');
  });
});

describe('warnings read back from stored items', () => {
  const row = (over: Partial<NeighbourItemListing>): NeighbourItemListing => ({
    id: 1, sourceId: 1, councilId: 9, itemKey: 'x', title: '', summary: '', link: null, publishedAt: null, expiresAt: null, area: null,
    serviceSlug: null, firstSeenAt: new Date('2026-11-22T05:11:00Z'), updatedAt: new Date('2026-11-22T05:11:00Z'),
    councilSlug: 'met-office', councilName: 'Met Office', sourceTitle: 'Weather warnings', ...over,
  });

  it('gives the coverage screen level, hazard, region, issued and validity of a Met Office warning', () => {
    const [snow] = ok(parseFeed(fixture('met-office-uk.rss'), { url: MET_URL })).items;
    const stored = row({ itemKey: snow!.key, title: snow!.title, summary: snow!.summary, publishedAt: snow!.publishedAt, expiresAt: snow!.warning!.validTo, area: snow!.warning!.region, link: snow!.link });
    expect(readOfficialWarning(stored, new Date('2026-11-22T07:00:00Z'))).toEqual({
      itemId: 1, councilId: 9, councilName: 'Met Office', sourceTitle: 'Weather warnings',
      issuer: 'met-office', level: 'amber', hazard: 'snow', region: 'Yorkshire & Humber', areas: ['Calderdale', 'Kirklees', 'Leeds'],
      issuedAt: new Date('2026-11-22T05:10:00Z'), validFrom: new Date('2026-11-22T06:00:00Z'), validTo: new Date('2026-11-23T12:00:00Z'),
      status: 'in-force', title: 'Amber warning of snow affecting Yorkshire & Humber', summary: snow!.summary, link: snow!.link,
    });
    expect(readOfficialWarning(stored, new Date('2026-11-22T05:30:00Z'))!.status).toBe('upcoming');
    expect(readOfficialWarning(stored, new Date('2026-11-23T12:00:00Z'))!.status).toBe('ended');
  });

  it('gives an emergency alert with no level, and ignores every other item', () => {
    const alert = readOfficialWarning(row({ itemKey: 'gov-uk-alert:flood', title: 'Emergency alert: Flood.', area: 'Kirklees', publishedAt: new Date('2026-11-22T05:10:00Z') }), new Date('2026-11-22T06:00:00Z'));
    expect(alert).toMatchObject({ issuer: 'gov-uk-alerts', level: null, region: 'Kirklees', issuedAt: new Date('2026-11-22T05:10:00Z'), status: 'in-force' });
    expect(readOfficialWarning(row({ itemKey: 'rochdale-news-2001', title: 'Amber warning of snow affecting Rochdale' }), new Date())).toBeNull();
  });
});
