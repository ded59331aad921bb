// The staff screens' forms: adding a feed (to a listed council or a new one), a service's
// keywords, and the coverage screen's filters.
import { describe, expect, it } from 'vitest';
import {
  parseAddNeighbourFeedForm,
  parseCoverageQuery,
  parseKeywordsForm,
  type AddNeighbourFeedFormValues,
} from '../../../src/lib/neighbours/validation.ts';

const feed = (values: Partial<AddNeighbourFeedFormValues>): AddNeighbourFeedFormValues => ({
  councilId: '3', newCouncilName: '', newCouncilWebsite: '', title: 'School closures', url: 'https://example.org/closures.rss', ...values,
});

describe('the add-feed form', () => {
  it('takes a council from the list', () => {
    expect(parseAddNeighbourFeedForm(feed({}))).toEqual({
      ok: true, council: { kind: 'existing', id: 3 }, feed: { title: 'School closures', url: 'https://example.org/closures.rss' },
    });
  });

  it('takes a new council named in the same form', () => {
    const parsed = parseAddNeighbourFeedForm(feed({ councilId: 'new', newCouncilName: ' Sheffield City Council ', newCouncilWebsite: 'https://www.sheffield.gov.uk' }));
    expect(parsed).toMatchObject({ ok: true, council: { kind: 'new', values: { name: ' Sheffield City Council ', websiteUrl: 'https://www.sheffield.gov.uk' } } });
  });

  it('asks for a council when none is selected', () => {
    expect(parseAddNeighbourFeedForm(feed({ councilId: '' }))).toEqual({
      ok: false, issues: [{ field: 'councilId', message: 'Select a council, or “A council not listed here”' }],
    });
  });

  it('asks for the new council’s name, and checks its website, with the feed’s own problems, in form order', () => {
    const parsed = parseAddNeighbourFeedForm(feed({ councilId: 'new', newCouncilWebsite: 'ftp://example.org', title: '', url: 'javascript:alert(1)' }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues.map((i) => i.field)).toEqual(['newCouncilName', 'newCouncilWebsite', 'title', 'url']);
  });

  it('refuses feed addresses that are not http or https, or too long', () => {
    for (const url of ['ftp://example.org/feed.rss', 'javascript:alert(1)', 'file:///etc/passwd', `https://example.org/${'a'.repeat(2_000)}`, 'example.org/feed']) {
      const parsed = parseAddNeighbourFeedForm(feed({ url }));
      expect(parsed.ok, url).toBe(false);
      expect(!parsed.ok && parsed.issues[0]!.field, url).toBe('url');
    }
  });
});

describe('the keywords form', () => {
  it('takes up to 50 phrases', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `phrase ${i}`).join('\n');
    expect(parseKeywordsForm(fifty)).toMatchObject({ ok: true });
    expect(parseKeywordsForm(`${fifty}\none more`)).toEqual({ ok: false, issues: [{ field: 'keywords', message: 'Enter 50 words or phrases or fewer' }] });
  });
});

describe('the coverage filters', () => {
  it('look back 24 hours over everything by default', () => {
    expect(parseCoverageQuery(new URLSearchParams())).toEqual({ hours: 24, council: '', service: '', problems: [] });
  });

  it('offer 6, 12, 24, 48 and 72 hours only', () => {
    for (const hours of [6, 12, 24, 48, 72]) expect(parseCoverageQuery(new URLSearchParams({ hours: String(hours) })).hours).toBe(hours);
    for (const hours of ['5', '1000', 'all', '-6', '24.5']) {
      const query = parseCoverageQuery(new URLSearchParams({ hours }));
      expect(query.hours, hours).toBe(24);
      expect(query.problems.map((p) => p.field), hours).toEqual(['hours']);
    }
  });

  it('keep a council and service that look like short names, and drop anything else', () => {
    expect(parseCoverageQuery(new URLSearchParams({ council: 'rochdale', service: 'schools' }))).toMatchObject({ council: 'rochdale', service: 'schools', problems: [] });
    const odd = parseCoverageQuery(new URLSearchParams({ council: '<script>', service: 'Schools!' }));
    expect(odd).toMatchObject({ council: '', service: '' });
    expect(odd.problems.map((p) => p.field)).toEqual(['council', 'service']);
  });
});
