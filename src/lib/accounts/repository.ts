// Account queries and writes. Every write that changes who can do what also writes an audit event
// in the same batch.
import { asc, eq } from 'drizzle-orm';
import { accounts } from '../../../db/schema/index.ts';
import { auditStatement } from '../audit/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Database } from '../server/database.ts';
import type { NewAccount } from './validation.ts';

export type AccountRow = typeof accounts.$inferSelect;

export async function findAccountByEmail(db: Database, email: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.email, email.toLowerCase()));
  return row;
}

export async function findAccount(db: Database, id: number): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

export function listAccounts(db: Database): Promise<AccountRow[]> {
  return db.select().from(accounts).orderBy(asc(accounts.name));
}

/** Creates an account; the caller has checked the email is free. Returns its id. */
export async function insertAccount(db: Database, account: NewAccount, actorId: number | null): Promise<number> {
  const passwordHash = await hashPassword(account.password);
  const [inserted] = await db.batch([
    db.insert(accounts).values({ email: account.email, name: account.name, role: account.role, passwordHash }).returning({ id: accounts.id }),
    auditStatement(db, 'account-created', actorId, account.email, { role: account.role }),
  ]);
  return inserted[0]!.id;
}
