// Session lifetimes against a real database, with the clock passed in: idle expiry, absolute
// expiry, sliding use, and accounts that are disabled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accounts, sessions } from '../../db/schema/index.ts';
import {
  createSession,
  generateSessionToken,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionIdFromToken,
  validateSessionToken,
} from '../../src/lib/auth/sessions.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { createStaffAccount } from '../helpers/staff.ts';

let t: TestDb;
let accountId: number;
const start = new Date('2026-11-21T06:00:00Z');
const later = (ms: number) => new Date(start.getTime() + ms);

beforeEach(async () => {
  t = await createTestDb();
  accountId = (await createStaffAccount(t, 'editor')).id;
});
afterEach(() => t.cleanup());

describe('staff sessions', () => {
  it('are 160-bit random tokens, stored only as their SHA-256', async () => {
    const token = generateSessionToken();
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    await createSession(t.db, token, accountId, false, start);
    const [row] = await t.db.select().from(sessions);
    expect(row!.id).toBe(sessionIdFromToken(token));
    expect(row!.id).not.toContain(token);
  });

  it('end after two hours without use', async () => {
    const token = generateSessionToken();
    await createSession(t.db, token, accountId, false, start);
    expect(await validateSessionToken(t.db, token, later(SESSION_IDLE_MS - 1000))).not.toBeNull();
    const fresh = generateSessionToken();
    await createSession(t.db, fresh, accountId, false, start);
    expect(await validateSessionToken(t.db, fresh, later(SESSION_IDLE_MS))).toBeNull();
    expect(await t.db.select().from(sessions).where(eq(sessions.id, sessionIdFromToken(fresh)))).toEqual([]);
  });

  it('stay alive while used, but never beyond twelve hours', async () => {
    const token = generateSessionToken();
    await createSession(t.db, token, accountId, false, start);
    for (let hour = 1; hour < 12; hour++) {
      expect(await validateSessionToken(t.db, token, later(hour * 3_600_000)), `hour ${hour}`).not.toBeNull();
    }
    expect(await validateSessionToken(t.db, token, later(SESSION_ABSOLUTE_MS))).toBeNull();
  });

  it('end at once when the account is disabled', async () => {
    const token = generateSessionToken();
    await createSession(t.db, token, accountId, false, start);
    await t.db.update(accounts).set({ disabledAt: later(1000) }).where(eq(accounts.id, accountId));
    expect(await validateSessionToken(t.db, token, later(2000))).toBeNull();
  });

  it('refuse tokens that are not of the right shape without looking them up', async () => {
    for (const token of ['', 'short', 'A'.repeat(32), `${'a'.repeat(31)}1`]) {
      expect(await validateSessionToken(t.db, token, start), token).toBeNull();
    }
  });
});
