import { describe, expect, it } from 'vitest';
import {
  checkLinks,
  checkStartedStamp,
  countLinks,
  issueStartedStamp,
  parseMissingInformation,
  parseMissingPlace,
  parsePlaceReport,
  parseProvenance,
  parseTextProposal,
  readSuggestionValues,
} from '../../../src/lib/suggestions/validation.ts';

const SECRET = 'a test secret';
const now = new Date('2026-11-21T07:30:00Z');

describe('the signed “form started at” stamp', () => {
  it('accepts its own stamp once a person could have filled the form in', () => {
    const stamp = issueStartedStamp(SECRET, now);
    expect(checkStartedStamp(stamp, SECRET, new Date(now.getTime() + 3_000), 3)).toBe('ok');
  });

  it('says a form sent sooner than the minimum fill time was too fast', () => {
    const stamp = issueStartedStamp(SECRET, now);
    expect(checkStartedStamp(stamp, SECRET, new Date(now.getTime() + 2_999), 3)).toBe('too_fast');
  });

  it('refuses a stamp signed with another secret, or with its time changed', () => {
    const stamp = issueStartedStamp(SECRET, now);
    const later = new Date(now.getTime() + 60_000);
    expect(checkStartedStamp(issueStartedStamp('another secret', now), SECRET, later, 3)).toBe('invalid');
    const [, signature] = stamp.split('.');
    expect(checkStartedStamp(`${now.getTime() - 10_000}.${signature}`, SECRET, later, 3)).toBe('invalid');
  });

  it('refuses anything that is not a stamp', () => {
    for (const value of ['', 'now', '123', '123.', '.abc', `${now.getTime()}.${'A'.repeat(42)}`]) {
      expect(checkStartedStamp(value, SECRET, now, 0)).toBe('invalid');
    }
  });

  it('refuses a stamp from far in the future or weeks ago', () => {
    expect(checkStartedStamp(issueStartedStamp(SECRET, new Date(now.getTime() + 3_600_000)), SECRET, now, 0)).toBe('invalid');
    expect(checkStartedStamp(issueStartedStamp(SECRET, new Date(now.getTime() - 30 * 86_400_000)), SECRET, now, 0)).toBe('invalid');
  });
});

describe('links in what a resident writes', () => {
  it('counts http, https and www. links', () => {
    expect(countLinks('see https://a.example, http://b.example and www.c.example')).toBe(3);
    expect(countLinks('no links here, not even example.org')).toBe(0);
  });

  it('allows up to three in all the text together, and names the first field with links', () => {
    expect(checkLinks([{ field: 'note', text: 'https://a https://b' }, { field: 'how-known', text: 'www.c' }])).toBeNull();
    expect(checkLinks([{ field: 'note', text: 'https://a https://b' }, { field: 'how-known', text: 'www.c www.d' }])).toEqual({
      field: 'note',
      message: 'Remove some links: you can include up to 3',
    });
  });

  it('does not count links that were already in the published text', () => {
    const published = 'https://1 https://2 https://3 https://4';
    expect(checkLinks([{ field: 'body', text: `${published} https://5`, alreadyThere: published }])).toBeNull();
  });
});

describe('reading the form', () => {
  it('reads Windows line breaks as plain ones and missing fields as empty', () => {
    const form = new FormData();
    form.set('body', 'one\r\ntwo\rthree');
    const values = readSuggestionValues(form);
    expect(values.body).toBe('one\ntwo\nthree');
    expect(values['how-known']).toBe('');
  });
});

describe('what a resident must tell us', () => {
  it('needs how they know; the email address is optional but must be one', () => {
    expect(parseProvenance({ 'how-known': ' I saw a sign ', email: '' })).toEqual({ ok: true, value: { howKnown: 'I saw a sign', contactEmail: null } });
    const bad = parseProvenance({ 'how-known': '', email: 'nope' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((i) => i.field)).toEqual(['how-known', 'email']);
  });

  it('offers every status but “not confirmed” for a listed place', () => {
    expect(parsePlaceReport({ status: 'closed', note: '' })).toEqual({ ok: true, value: { status: 'closed', noteMarkdown: '' } });
    expect(parsePlaceReport({ status: 'unknown', note: '' }).ok).toBe(false);
  });

  it('needs new text to differ from the published text', () => {
    expect(parseTextProposal({ body: ' Same text \n' }, 100, 'Same text')).toMatchObject({ ok: false });
    expect(parseTextProposal({ body: 'New text' }, 100, 'Same text')).toEqual({ ok: true, value: 'New text' });
    expect(parseTextProposal({ body: 'x'.repeat(101) }, 100, '')).toMatchObject({ ok: false, issues: [{ field: 'body', message: 'Your text must be 100 characters or fewer' }] });
  });

  it('tidies a missing place’s postcode and allows “I do not know” as its status', () => {
    const parsed = parseMissingPlace({ service: 'libraries', name: 'Shelley Library', address: '', postcode: 'hd8  8hb', status: 'unknown', note: '' }, ['libraries']);
    expect(parsed).toMatchObject({ ok: true, value: { postcode: 'HD8 8HB', status: 'unknown' } });
  });

  it('keeps the ticked services of other information in list order', () => {
    const parsed = parseMissingInformation({ headline: 'H', details: 'D' }, ['waste', 'schools'], ['schools', 'roads', 'waste']);
    expect(parsed).toEqual({ ok: true, value: { headline: 'H', details: 'D', serviceSlugs: ['schools', 'waste'] } });
  });
});
