// What a shared link says: titles that carry the status, descriptions, absolute addresses and
// the share text with the council's hashtag.
import { describe, expect, it } from 'vitest';
import { effectiveStatus } from '../../../src/lib/places/status.ts';
import { shareAlert, sharePlace, shareService, statusPhrase, type PlaceToShare } from '../../../src/lib/sharing/share.ts';

const SITE = 'https://alerts.kirklees.example';
// 07:00 on Saturday 21 November 2026, London (GMT).
const now = new Date('2026-11-21T07:00:00Z');
const endOfToday = new Date('2026-11-21T23:59:00Z');

function school(fields: { status?: 'open' | 'closed' | 'unknown' | 'opening_late'; statusUntil?: Date | null; confirmedAt?: Date | null; noteHtml?: string } = {}): PlaceToShare {
  const row = { status: fields.status ?? 'closed', statusUntil: fields.statusUntil ?? null, confirmedAt: 'confirmedAt' in fields ? fields.confirmedAt! : new Date('2026-11-21T06:10:00Z') };
  return { name: 'Colne Valley High School', slug: 'colne-valley-high-school', noteHtml: fields.noteHtml ?? '', ...row, effective: effectiveStatus(row, now) };
}

describe('the status phrase of a place', () => {
  it('says "today" for a status set until the end of today', () => {
    expect(statusPhrase(school({ statusUntil: endOfToday }), now)).toBe('Closed today');
  });

  it('gives the time or the day for a status set until another time', () => {
    expect(statusPhrase(school({ status: 'opening_late', statusUntil: new Date('2026-11-21T10:00:00Z') }), now)).toBe('Opening late until 10:00am');
    expect(statusPhrase(school({ statusUntil: new Date('2026-11-23T23:59:00Z') }), now)).toBe('Closed until the end of Monday 23 November');
    expect(statusPhrase(school({ statusUntil: new Date('2026-11-23T09:00:00Z') }), now)).toBe('Closed until 9:00am Monday 23 November');
  });

  it('is the plain label for a status with no end, and "Not confirmed" once it has lapsed', () => {
    expect(statusPhrase(school({ status: 'open' }), now)).toBe('Open');
    expect(statusPhrase(school({ statusUntil: new Date('2026-11-21T06:00:00Z') }), now)).toBe('Not confirmed');
    expect(statusPhrase(school({ status: 'unknown', confirmedAt: null }), now)).toBe('Not confirmed');
  });
});

describe('sharing a place', () => {
  it('puts the status in the title and ends the share text with the hashtag', () => {
    const share = sharePlace(school({ statusUntil: endOfToday, noteHtml: '<p class="govuk-body">Closed because of <strong>snow</strong>.</p>' }), { slug: 'schools' }, { hashtag: '#KirkleesSnow' }, SITE, now);
    expect(share).toEqual({
      title: 'Colne Valley High School: Closed today',
      description: 'Closed because of snow.',
      url: `${SITE}/services/schools/colne-valley-high-school`,
      text: `Colne Valley High School: Closed today. ${SITE}/services/schools/colne-valley-high-school #KirkleesSnow`,
    });
  });

  it('leaves the hashtag out when the council has none', () => {
    expect(sharePlace(school(), { slug: 'schools' }, {}, SITE, now).text).toBe(`Colne Valley High School: Closed. ${SITE}/services/schools/colne-valley-high-school`);
  });

  it('describes a lapsed or unconfirmed status in words, with the full time', () => {
    const lapsed = sharePlace(school({ statusUntil: new Date('2026-11-20T23:59:00Z'), noteHtml: '<p>Old news</p>' }), { slug: 'schools' }, {}, SITE, now);
    expect(lapsed.description).toBe('Nobody has confirmed the status since 11:59pm Friday 20 November.');
    expect(sharePlace(school({ status: 'unknown', confirmedAt: null }), { slug: 'schools' }, {}, SITE, now).description).toBe('Nobody has confirmed the status yet.');
    expect(sharePlace(school({ status: 'open' }), { slug: 'schools' }, {}, SITE, now).description).toBe('Confirmed at 6:10am Saturday 21 November.');
  });

  it('keeps the description short', () => {
    const long = sharePlace(school({ noteHtml: `<p>${'Snow and ice on every road. '.repeat(20)}</p>` }), { slug: 'schools' }, {}, SITE, now);
    expect(long.description.length).toBeLessThanOrEqual(200);
    expect(long.description.endsWith('…')).toBe(true);
  });
});

describe('sharing an alert and a service', () => {
  const alert = { id: 3, severity: 'severe' as const, headline: 'Heavy snow', bodyHtml: '<p>Only travel if you must.</p>', startsAt: new Date('2026-11-21T05:00:00Z'), expiresAt: new Date('2026-11-21T18:00:00Z') };

  it('titles an alert with how serious it is, and says when it is not in force', () => {
    expect(shareAlert(alert, 'active', { hashtag: '#KirkleesSnow' }, SITE)).toEqual({
      title: 'Emergency: Heavy snow',
      description: 'Only travel if you must.',
      url: `${SITE}/alerts/3`,
      text: `Emergency: Heavy snow. ${SITE}/alerts/3 #KirkleesSnow`,
    });
    expect(shareAlert(alert, 'expired', {}, SITE).title).toBe('Emergency: Heavy snow (ended 6:00pm Saturday 21 November)');
    expect(shareAlert(alert, 'scheduled', {}, SITE).title).toBe('Emergency: Heavy snow (from 5:00am Saturday 21 November)');
  });

  it('titles a service with its counts, most pressing first', () => {
    const summary = { total: 30, lastUpdated: new Date('2026-11-21T06:50:00Z'), counts: [{ status: 'closed' as const, count: 23 }, { status: 'partially_open' as const, count: 4 }, { status: 'open' as const, count: 2 }, { status: 'unknown' as const, count: 1 }] };
    const share = shareService({ slug: 'schools', name: 'School closures', summary: 'Which schools are open.' }, summary, { hashtag: '#KirkleesSnow' }, SITE);
    expect(share.title).toBe('School closures: 23 closed, 4 partially open, 2 open');
    expect(share.description).toBe('Which schools are open. Updated 6:50am Saturday 21 November.');
    expect(share.text).toBe(`School closures: 23 closed, 4 partially open, 2 open. ${SITE}/services/schools #KirkleesSnow`);
  });
});
