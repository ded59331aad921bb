// Alert rules: which alerts show, in which order, and how an alert's time window reads.
import type { AlertSeverity } from '../../../db/schema/index.ts';

const SEVERITY_RANK: Record<AlertSeverity, number> = { severe: 0, warning: 1, info: 2 };

export const SEVERITY_LABEL: Record<AlertSeverity, string> = { severe: 'Emergency', warning: 'Warning', info: 'Information' };

interface Orderable {
  severity: AlertSeverity;
  startsAt: Date;
}

/** Most severe first; within a severity, the newest first. */
export function orderAlerts<T extends Orderable>(list: readonly T[]): T[] {
  return [...list].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.startsAt.getTime() - a.startsAt.getTime(),
  );
}

export type AlertPhase = 'scheduled' | 'active' | 'expired';

export function alertPhase(alert: { startsAt: Date; expiresAt: Date | null }, now: Date): AlertPhase {
  if (alert.startsAt.getTime() > now.getTime()) return 'scheduled';
  if (alert.expiresAt && alert.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}
