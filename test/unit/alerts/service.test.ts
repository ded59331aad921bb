import { describe, expect, it } from 'vitest';
import { alertPhase, orderAlerts } from '../../../src/lib/alerts/service.ts';

describe('orderAlerts', () => {
  it('puts the most severe first, then the newest', () => {
    const at = (h: number) => new Date(Date.UTC(2026, 10, 21, h));
    const ordered = orderAlerts([
      { id: 'info', severity: 'info' as const, startsAt: at(7) },
      { id: 'old severe', severity: 'severe' as const, startsAt: at(3) },
      { id: 'warning', severity: 'warning' as const, startsAt: at(6) },
      { id: 'new severe', severity: 'severe' as const, startsAt: at(5) },
    ]);
    expect(ordered.map((a) => a.id)).toEqual(['new severe', 'old severe', 'warning', 'info']);
  });
});

describe('alertPhase', () => {
  const now = new Date('2026-11-21T07:00:00Z');
  it('is scheduled before its start', () => {
    expect(alertPhase({ startsAt: new Date('2026-11-21T08:00:00Z'), expiresAt: null }, now)).toBe('scheduled');
  });
  it('is active from its start until its expiry', () => {
    expect(alertPhase({ startsAt: now, expiresAt: new Date('2026-11-21T07:00:01Z') }, now)).toBe('active');
  });
  it('is active with no expiry', () => {
    expect(alertPhase({ startsAt: new Date('2026-11-20T07:00:00Z'), expiresAt: null }, now)).toBe('active');
  });
  it('is expired from its expiry time on', () => {
    expect(alertPhase({ startsAt: new Date('2026-11-20T07:00:00Z'), expiresAt: now }, now)).toBe('expired');
  });
});
