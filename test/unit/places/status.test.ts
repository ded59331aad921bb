import { describe, expect, it } from 'vitest';
import { effectiveStatus } from '../../../src/lib/places/status.ts';

const now = new Date('2026-11-21T07:30:00Z');
const confirmedAt = new Date('2026-11-21T06:45:00Z');

describe('effectiveStatus', () => {
  it('shows the status as set while its "until" time has not come', () => {
    const result = effectiveStatus({ status: 'closed', statusUntil: new Date('2026-11-21T23:59:00Z'), confirmedAt }, now);
    expect(result).toEqual({ status: 'closed', lapsed: false, lapsedFrom: null, lapsedAt: null, confirmedAt });
  });

  it('lapses to not confirmed — never back to open — once the "until" time passes', () => {
    const result = effectiveStatus({ status: 'closed', statusUntil: new Date('2026-11-21T07:00:00Z'), confirmedAt }, now);
    expect(result.status).toBe('unknown');
    expect(result.lapsed).toBe(true);
    expect(result.lapsedFrom).toBe('closed');
    // Both times, for "not confirmed since 7:00am (was: closed, last confirmed 6:45am)".
    expect(result.lapsedAt).toEqual(new Date('2026-11-21T07:00:00Z'));
    expect(result.confirmedAt).toEqual(confirmedAt);
  });

  it('treats the exact "until" instant as lapsed', () => {
    expect(effectiveStatus({ status: 'opening_late', statusUntil: now, confirmedAt }, now).lapsed).toBe(true);
  });

  it('keeps a status with no "until" time indefinitely', () => {
    expect(effectiveStatus({ status: 'open', statusUntil: null, confirmedAt }, now).status).toBe('open');
  });
});
