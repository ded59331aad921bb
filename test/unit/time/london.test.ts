import { describe, expect, it } from 'vitest';
import { endOfLondonDay, formatDateTime, formatTime } from '../../../src/lib/time/london.ts';

describe('London times', () => {
  it('shows winter times as GMT', () => {
    expect(formatTime(new Date('2026-11-21T07:12:00Z'))).toBe('7:12am');
  });

  it('shows summer times as BST, an hour ahead of UTC', () => {
    expect(formatTime(new Date('2026-07-01T07:12:00Z'))).toBe('8:12am');
  });

  it('says today, yesterday or the day by the London calendar', () => {
    const now = new Date('2026-11-21T09:00:00Z');
    expect(formatDateTime(new Date('2026-11-21T00:30:00Z'), now)).toBe('12:30am today');
    expect(formatDateTime(new Date('2026-11-20T16:30:00Z'), now)).toBe('4:30pm yesterday');
    expect(formatDateTime(new Date('2026-11-16T09:00:00Z'), now)).toBe('9:00am Monday 16 November');
  });

  it('finds 23:59 London time in winter and in summer', () => {
    expect(endOfLondonDay(new Date('2026-11-21T10:00:00Z')).toISOString()).toBe('2026-11-21T23:59:00.000Z');
    expect(endOfLondonDay(new Date('2026-07-01T10:00:00Z')).toISOString()).toBe('2026-07-01T22:59:00.000Z');
  });

  it('uses the London day, not the UTC day, just after midnight in summer', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London.
    expect(endOfLondonDay(new Date('2026-06-30T23:30:00Z')).toISOString()).toBe('2026-07-01T22:59:00.000Z');
  });
});
