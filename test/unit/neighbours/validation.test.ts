// The admin forms for neighbouring councils and feeds: GOV.UK messages keyed by input id.
import { describe, expect, it } from 'vitest';
import { parseKeywordsForm, parseNeighbourCouncilForm, parseNeighbourSourceForm, slugFromName } from '../../../src/lib/neighbours/validation.ts';

describe('the council form', () => {
  it('accepts a name alone, making the short name from it', () => {
    expect(parseNeighbourCouncilForm({ name: ' Calderdale Council ', slug: '', websiteUrl: '', sortOrder: '' })).toEqual({
      ok: true, values: { name: 'Calderdale Council', slug: 'calderdale-council', websiteUrl: '', sortOrder: null },
    });
  });

  it('says what is wrong with each field, in form order', () => {
    const result = parseNeighbourCouncilForm({ name: '', slug: 'Not A Slug', websiteUrl: 'javascript:alert(1)', sortOrder: 'first' });
    expect(result).toEqual({
      ok: false,
      issues: [
        { field: 'name', message: "Enter the council's name" },
        { field: 'slug', message: 'Short name must be lowercase letters, numbers and hyphens, like calderdale' },
        { field: 'websiteUrl', message: 'Enter a full web address starting with https://, like https://www.calderdale.gov.uk' },
        { field: 'sortOrder', message: 'Position must be a whole number, like 3' },
      ],
    });
  });

  it('makes short names from names', () => {
    expect(slugFromName('Rochdale Borough Council (Test’s)')).toBe('rochdale-borough-council-tests');
  });
});

describe('the feed form', () => {
  it('accepts a council, a name and an http(s) address', () => {
    expect(parseNeighbourSourceForm({ councilId: '3', title: 'School closures', url: 'https://www.rochdale.gov.uk/rss' })).toEqual({
      ok: true, values: { councilId: 3, title: 'School closures', url: 'https://www.rochdale.gov.uk/rss' },
    });
  });

  it('refuses a missing council, name or address, and addresses that are not web addresses', () => {
    expect(parseNeighbourSourceForm({ councilId: '', title: '', url: '' })).toEqual({
      ok: false,
      issues: [
        { field: 'councilId', message: 'Select a council' },
        { field: 'title', message: 'Enter a name for the feed, like School closures' },
        { field: 'url', message: "Enter the feed's web address" },
      ],
    });
    for (const url of ['ftp://example.org/feed', 'www.example.org/feed', 'https://user:pw@example.org/feed']) {
      expect(parseNeighbourSourceForm({ councilId: '1', title: 'x', url }), url).toMatchObject({ ok: false, issues: [{ field: 'url' }] });
    }
  });
});

describe('the keywords form', () => {
  it('takes one phrase a line or comma-separated, lowercased, without repeats', () => {
    expect(parseKeywordsForm('School\n school closure , PUPIL\n\nschool')).toEqual({ ok: true, phrases: ['school', 'school closure', 'pupil'] });
  });

  it('refuses phrases over 60 characters', () => {
    expect(parseKeywordsForm('a'.repeat(61))).toMatchObject({ ok: false, issues: [{ field: 'keywords' }] });
  });
});
