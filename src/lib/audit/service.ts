// The audit log admins read: sign-ins, failed sign-ins, account and role changes.
import { count, desc, eq } from 'drizzle-orm';
import { accounts, auditEvents } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type AuditAction =
  | 'sign-in'
  | 'sign-in-failed'
  | 'sign-in-throttled'
  | 'sign-in-slowed'
  | 'sign-out'
  | 'two-factor-enabled'
  | 'two-factor-disabled'
  | 'two-factor-failed'
  | 'account-created'
  | 'account-updated'
  | 'role-changed'
  | 'grant-added'
  | 'grant-removed'
  | 'account-disabled'
  | 'account-enabled'
  | 'password-changed'
  | 'neighbour-source-added'
  | 'neighbour-source-changed'
  | 'neighbour-source-removed'
  | 'neighbour-item-dismissed'
  | 'neighbour-item-restored'
  | 'coverage-settings-changed'
  | 'staff-feed-address-created'
  | 'staff-feed-address-revoked'
  | 'council-settings-changed'
  | 'service-changed'
  | 'snow-day-on'
  | 'snow-day-off'
  | 'webhook-added'
  | 'webhook-paused'
  | 'webhook-resumed'
  | 'webhook-secret-replaced'
  | 'webhook-removed';

export function auditStatement(db: Database, action: AuditAction, accountId: number | null, subject: string, detail?: Record<string, unknown>) {
  return db.insert(auditEvents).values({ action, accountId, subject, detail: detail ?? null, createdAt: new Date() });
}

export async function recordAudit(db: Database, action: AuditAction, accountId: number | null, subject: string, detail?: Record<string, unknown>): Promise<void> {
  await auditStatement(db, action, accountId, subject, detail);
}

export interface AuditEntry {
  id: number;
  action: string;
  subject: string;
  detail: unknown;
  at: Date;
  actor: string | null;
}

/** Every action, in plain words for the audit log (a Record, so a new action cannot go unlabelled). */
export const AUDIT_ACTION_LABEL: Record<AuditAction, string> = {
  'sign-in': 'Signed in',
  'sign-in-failed': 'Sign-in failed',
  'sign-in-throttled': 'Sign-in blocked after too many attempts',
  'sign-in-slowed': 'Sign-ins from new devices slowed',
  'sign-out': 'Signed out',
  'two-factor-enabled': 'Turned on two-factor authentication',
  'two-factor-disabled': 'Turned off two-factor authentication',
  'two-factor-failed': 'Wrong two-factor code',
  'account-created': 'Account created',
  'account-updated': 'Account details changed',
  'role-changed': 'Role changed',
  'grant-added': 'Place given',
  'grant-removed': 'Place taken away',
  'account-disabled': 'Account disabled',
  'account-enabled': 'Account enabled',
  'password-changed': 'Password changed',
  'neighbour-source-added': 'Neighbour feed added',
  'neighbour-source-changed': 'Neighbour feed changed',
  'neighbour-source-removed': 'Neighbour feed removed',
  'neighbour-item-dismissed': 'Neighbour’s item dismissed from the gaps',
  'neighbour-item-restored': 'Neighbour’s item put back on the gaps',
  'coverage-settings-changed': 'Urgent services or neighbours’ news on public pages changed',
  'staff-feed-address-created': 'Private feed address made',
  'staff-feed-address-revoked': 'Private feed address stopped',
  'council-settings-changed': 'Council settings changed',
  'service-changed': 'Service added or changed',
  'snow-day-on': 'Snow-day mode switched on',
  'snow-day-off': 'Snow-day mode switched off',
  'webhook-added': 'Partner webhook added',
  'webhook-paused': 'Partner webhook paused',
  'webhook-resumed': 'Partner webhook resumed',
  'webhook-secret-replaced': 'Partner webhook given a new secret',
  'webhook-removed': 'Partner webhook removed',
};

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABEL) as AuditAction[];

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTION_LABEL, value);
}

/** One page of the audit log, newest first, optionally of one action only. */
export async function listAuditEventsPage(db: Database, options: { action: AuditAction | null; offset: number; limit: number }): Promise<AuditEntry[]> {
  return db
    .select({ id: auditEvents.id, action: auditEvents.action, subject: auditEvents.subject, detail: auditEvents.detail, at: auditEvents.createdAt, actor: accounts.name })
    .from(auditEvents)
    .leftJoin(accounts, eq(auditEvents.accountId, accounts.id))
    .where(options.action ? eq(auditEvents.action, options.action) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(options.limit)
    .offset(options.offset);
}

export async function countAuditEvents(db: Database, action: AuditAction | null): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(auditEvents)
    .where(action ? eq(auditEvents.action, action) : undefined);
  return row?.n ?? 0;
}
