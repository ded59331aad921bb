// Status reasons and expected reopening as people read them: labels, "Expected to reopen:
// Wednesday", and what the form accepts.
import { describe, expect, it } from 'vitest';
import { STATUS_REASONS } from '../../../db/schema/index.ts';
import { describeStatusDetails, formatReopening, STATUS_REASON_LABEL } from '../../../src/lib/places/status.ts';
import { parsePlaceEdit, parseStatusDetails, readStatusDetails } from '../../../src/lib/places/validation.ts';

// Saturday 21 November 2026, 9am in London (GMT).
const now = new Date('2026-11-21T09:00:00Z');
const notLapsed = { lapsed: false };

describe('reason labels', () => {
  it('has a plain label for every reason the schema allows', () => {
    expect(Object.keys(STATUS_REASON_LABEL).sort()).toEqual([...STATUS_REASONS].sort());
    expect(STATUS_REASON_LABEL).toEqual({
      snow_and_ice: 'Snow and ice', heating_failure: 'Heating failure', staff_shortage: 'Staff shortage', flooding: 'Flooding', other: 'Other',
    });
  });
});

describe('formatReopening', () => {
  it('names the day alone when the time is midnight, and the weekday within the week', () => {
    expect(formatReopening(new Date('2026-11-25T00:00:00Z'), now)).toBe('Wednesday');
  });

  it('adds the time when one is given, and says today or tomorrow', () => {
    expect(formatReopening(new Date('2026-11-25T09:30:00Z'), now)).toBe('Wednesday at 9:30am');
    expect(formatReopening(new Date('2026-11-21T13:00:00Z'), now)).toBe('today at 1:00pm');
    expect(formatReopening(new Date('2026-11-22T00:00:00Z'), now)).toBe('tomorrow');
  });

  it('gives the date in full a week or more ahead, or when read later (no "now")', () => {
    expect(formatReopening(new Date('2026-12-02T00:00:00Z'), now)).toBe('Wednesday 2 December');
    expect(formatReopening(new Date('2026-11-25T00:00:00Z'), null)).toBe('Wednesday 25 November');
  });

  it('reads London time in summer', () => {
    expect(formatReopening(new Date('2026-07-01T23:00:00Z'), new Date('2026-06-29T09:00:00Z'))).toBe('Thursday');
  });
});

describe('describeStatusDetails', () => {
  it('says the reason and the expected reopening', () => {
    expect(describeStatusDetails({ statusReason: 'snow_and_ice', expectedReopeningAt: new Date('2026-11-25T00:00:00Z') }, notLapsed, now))
      .toBe('Reason: Snow and ice. Expected to reopen: Wednesday');
  });

  it('says nothing once the status has lapsed, and leaves out a reopening time that has passed and the reason "other"', () => {
    expect(describeStatusDetails({ statusReason: 'flooding', expectedReopeningAt: null }, { lapsed: true }, now)).toBeNull();
    expect(describeStatusDetails({ statusReason: 'other', expectedReopeningAt: new Date('2026-11-20T00:00:00Z') }, notLapsed, now)).toBeNull();
    expect(describeStatusDetails({ statusReason: null, expectedReopeningAt: null }, notLapsed, now)).toBeNull();
  });
});

describe('parseStatusDetails', () => {
  it('reads a reason and a London reopening time, both optional', () => {
    expect(parseStatusDetails({ 'status-reason': 'heating_failure', 'expected-reopening': '2026-11-25T08:00' }, now)).toEqual({
      ok: true, value: { reason: 'heating_failure', expectedReopeningAt: '2026-11-25T08:00:00.000Z' },
    });
    expect(parseStatusDetails({ 'status-reason': '', 'expected-reopening': '' }, now)).toEqual({ ok: true, value: { reason: null, expectedReopeningAt: null } });
    expect(parseStatusDetails({}, now)).toEqual({ ok: true, value: { reason: null, expectedReopeningAt: null } });
  });

  it('refuses a reason not on the list, a malformed time and a time that has passed', () => {
    const result = parseStatusDetails({ 'status-reason': 'aliens', 'expected-reopening': '2026-02-30T09:00' }, now);
    expect(result.ok ? [] : result.issues.map((i) => i.field)).toEqual(['status-reason', 'expected-reopening']);
    const past = parseStatusDetails({ 'expected-reopening': '2026-11-21T08:59' }, now);
    expect(past).toEqual({ ok: false, issues: [{ field: 'expected-reopening', message: '‘Expected to reopen’ must be in the future' }] });
  });

  it('reads other forms’ inputs by name, straight from FormData (for the bulk update)', () => {
    const form = new FormData();
    form.set('bulk-reason', 'staff_shortage');
    form.set('bulk-reopening', '23/11/2026 08:30');
    expect(readStatusDetails(form, now, { reason: 'bulk-reason', reopening: 'bulk-reopening' })).toEqual({
      ok: true, value: { reason: 'staff_shortage', expectedReopeningAt: '2026-11-23T08:30:00.000Z' },
    });
  });

  it('is part of the place edit form, reported with the other problems in page order', () => {
    const result = parsePlaceEdit({ status: 'closed', note: '', 'status-reason': 'aliens', summary: '' }, { details: false, now });
    expect(result.ok ? [] : result.issues.map((i) => i.field)).toEqual(['status-reason', 'summary']);
    const ok = parsePlaceEdit({ status: 'closed', note: '', 'status-reason': 'flooding', summary: 'Flooded' }, { details: false, now });
    expect(ok).toMatchObject({ ok: true, value: { statusDetails: { reason: 'flooding', expectedReopeningAt: null } } });
  });
});
