// What a published revision says to its followers, and when it says nothing at all.
import { describe, expect, it } from 'vitest';
import { describeLapse, describeRevision, statusPhrase } from '../../../src/lib/notifications/changes.ts';
import type { AlertContent, PlaceContent } from '../../../src/lib/revisions/content.ts';

const AT = new Date('2026-12-02T07:12:00Z'); // 7:12am in London
const place: PlaceContent = {
  serviceId: 1, slug: 'colne-valley-high-school', identifier: '107744', name: 'Colne Valley High School', category: 'Secondary',
  address: 'Scar Lane', postcode: 'HD7 4RP', ward: 'Colne Valley', latitude: 53.6, longitude: -1.9, phone: null, website: null,
  status: 'open', reason: null, expectedReopeningAt: null, noteMarkdown: '', noteHtml: '', statusFrom: null, statusUntil: null,
  confirmedAt: '2026-12-02T06:50:00.000Z', retired: false,
};
const alert: AlertContent = {
  severity: 'severe', headline: 'Heavy snow', bodyMarkdown: 'Stay at home', bodyHtml: '<p>Stay at home</p>', area: '', serviceSlugs: ['schools'],
  startsAt: '2026-12-02T06:00:00.000Z', expiresAt: null, retired: false,
};
const revision = <K extends 'place' | 'alert'>(kind: K, content: K extends 'place' ? PlaceContent : AlertContent, parent: typeof content | null) =>
  ({ revisionId: 9, kind, targetId: 4, content, parent }) as Parameters<typeof describeRevision>[0];

describe('statusPhrase', () => {
  it('says "today" for a status until the end of the day, with the reason', () => {
    expect(statusPhrase({ ...place, status: 'closed', statusUntil: '2026-12-02T23:59:00.000Z', reason: 'snow_and_ice' }, AT)).toBe('Closed today (snow and ice)');
  });
  it('names the day a longer status runs until', () => {
    expect(statusPhrase({ ...place, status: 'closed', statusUntil: '2026-12-03T00:00:00.000Z' }, AT)).toBe('Closed until tomorrow');
  });
  it('gives no reason for open, nor for "other" (the note says it)', () => {
    expect(statusPhrase({ ...place, status: 'open', reason: 'snow_and_ice' }, AT)).toBe('Open');
    expect(statusPhrase({ ...place, status: 'closed', reason: 'other' }, AT)).toBe('Closed');
  });
});

describe('describeRevision', () => {
  it('announces a status change with the plain note', () => {
    const change = describeRevision(revision('place', { ...place, status: 'closed', noteMarkdown: 'No *heating*', noteHtml: '<p>No <em>heating</em> &amp; no water</p>' }, place), AT);
    expect(change).toMatchObject({ kind: 'place', placeId: 4, name: 'Colne Valley High School', phrase: 'Closed', note: 'No heating & no water', ward: 'Colne Valley' });
  });
  it('says nothing for an edit residents would not notice: a corrected address, a re-confirmation', () => {
    expect(describeRevision(revision('place', { ...place, address: 'Scar Lane, Golcar' }, place), AT)).toBeNull();
    expect(describeRevision(revision('place', { ...place, confirmedAt: '2026-12-02T07:05:00.000Z' }, place), AT)).toBeNull();
  });
  it('says nothing for a new place: nobody follows it yet', () => {
    expect(describeRevision(revision('place', place, null), AT)).toBeNull();
  });
  it('tells an alert published, updated and withdrawn apart', () => {
    expect(describeRevision(revision('alert', alert, null), AT)).toMatchObject({ action: 'published', severity: 'severe' });
    expect(describeRevision(revision('alert', { ...alert, bodyMarkdown: 'Stay at home if you can' }, alert), AT)).toMatchObject({ action: 'updated' });
    expect(describeRevision(revision('alert', { ...alert, retired: true }, alert), AT)).toMatchObject({ action: 'withdrawn' });
    expect(describeRevision(revision('alert', alert, alert), AT)).toBeNull();
  });
});

describe('describeLapse', () => {
  it('says since when nobody has confirmed, and what it was', () => {
    const lapse = describeLapse(4, { ...place, status: 'closed', statusUntil: '2026-12-02T16:00:00.000Z' }, 9);
    expect(lapse.phrase).toBe('Not confirmed since 4:00pm (was: Closed)');
  });
});
