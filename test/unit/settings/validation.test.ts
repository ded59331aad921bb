// The council settings form (administrators): hashtag, confirm-by time and advice page.
import { describe, expect, it } from 'vitest';
import { confirmByLabel, formatClockTime } from '../../../src/lib/settings/service.ts';
import { parseCouncilSettings } from '../../../src/lib/settings/validation.ts';

const PAGES = ['bad-weather-advice', 'about'];
const parse = (values: Record<string, string>) => parseCouncilSettings({ hashtag: '', 'confirm-by': '', 'advice-page': '', ...values }, PAGES);

describe('the council settings form', () => {
  it('accepts all three, keeping the hashtag with its # and the time on the 24-hour clock', () => {
    expect(parse({ hashtag: 'KirkleesSnow', 'confirm-by': '07:30', 'advice-page': 'bad-weather-advice' })).toEqual({
      ok: true, value: { hashtag: '#KirkleesSnow', confirmBy: '07:30', advicePage: 'bad-weather-advice' },
    });
    expect(parse({ hashtag: '#Kirklees_Snow2' })).toMatchObject({ ok: true, value: { hashtag: '#Kirklees_Snow2' } });
  });

  it('treats every field as optional', () => {
    expect(parse({})).toEqual({ ok: true, value: { hashtag: null, confirmBy: null, advicePage: null } });
  });

  it('reads times as people type them when the browser has no time picker', () => {
    for (const [typed, time] of [['7:30', '07:30'], ['7.30', '07:30'], ['7:30am', '07:30'], ['7:30 AM', '07:30'], ['12:15am', '00:15'], ['12:00pm', '12:00'], ['4:05pm', '16:05']]) {
      expect(parse({ 'confirm-by': typed! }), typed).toMatchObject({ ok: true, value: { confirmBy: time } });
    }
  });

  it('says what is wrong with each field, in form order', () => {
    const result = parse({ hashtag: '#Kirklees Snow', 'confirm-by': '25:00', 'advice-page': 'no-such-page' });
    expect(result).toEqual({
      ok: false,
      issues: [
        { field: 'hashtag', message: 'Enter a hashtag of letters, numbers and underscores that starts with a letter, like #KirkleesSnow' },
        { field: 'confirm-by', message: 'Enter a time of day, like 07:30' },
        { field: 'advice-page', message: 'Choose a page from the list' },
      ],
    });
    for (const bad of ['7', 'seven', '13:00pm', '0:00am', '07:60']) expect(parse({ 'confirm-by': bad }).ok, bad).toBe(false);
    for (const bad of ['#2026', '#snow!', '##snow', `#${'a'.repeat(51)}`]) expect(parse({ hashtag: bad }).ok, bad).toBe(false);
  });
});

describe('the confirm-by time in words', () => {
  it('is on the 12-hour clock, as residents read times', () => {
    expect(formatClockTime('07:30')).toBe('7:30am');
    expect(formatClockTime('00:05')).toBe('12:05am');
    expect(formatClockTime('12:00')).toBe('12:00pm');
    expect(formatClockTime('18:45')).toBe('6:45pm');
  });

  it('is absent when the council has not set one (a council saved before the setting existed)', () => {
    expect(confirmByLabel({})).toBeNull();
    expect(confirmByLabel({ confirmBy: '07:30' })).toBe('7:30am');
  });
});
