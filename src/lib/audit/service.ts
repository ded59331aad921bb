// The audit log admins read: sign-ins, failed sign-ins, account and role changes.
import { desc, eq } from 'drizzle-orm';
import { accounts, auditEvents } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type AuditAction =
  | 'sign-in'
  | 'sign-in-failed'
  | 'sign-in-throttled'
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
  | 'password-changed';

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

export async function listAuditEvents(db: Database, limit = 200): Promise<AuditEntry[]> {
  const rows = await db
    .select({ id: auditEvents.id, action: auditEvents.action, subject: auditEvents.subject, detail: auditEvents.detail, at: auditEvents.createdAt, actor: accounts.name })
    .from(auditEvents)
    .leftJoin(accounts, eq(auditEvents.accountId, accounts.id))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
  return rows;
}
