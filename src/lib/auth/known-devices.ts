// Known devices: browsers that have completed a sign-in to an account before. The csa_device
// cookie carries, for each account signed in from that browser, a stamp signed with the
// database's secret and bound to the account's current password hash — so nothing is stored, a
// stamp cannot be forged or moved to another account, and changing the password forgets every
// device at once. A known device is spared the throttling that protects an account from unknown
// addresses (sign-in.ts), which is what keeps an attack from elsewhere from locking the owner out.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A device stays known this long after its last completed sign-in to the account. */
export const KNOWN_DEVICE_MS = 365 * 24 * 60 * 60 * 1000;
/** Accounts remembered per browser (a shared office computer); the oldest is dropped first. */
const MAX_ACCOUNTS_PER_DEVICE = 5;

interface Stamp {
  accountId: number;
  issuedAt: number;
  mac: string;
}

const STAMP = /^(\d{1,12})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/;

function macOf(secret: string, accountId: number, issuedAt: number, passwordHash: string): string {
  return createHmac('sha256', `known-device:${secret}`)
    .update(`${accountId}\n${issuedAt}\n${passwordHash}`)
    .digest('base64url')
    .slice(0, 22);
}

function parseStamps(cookie: string | null): Stamp[] {
  if (!cookie || cookie.length > 400) return [];
  const stamps: Stamp[] = [];
  for (const part of cookie.split('~')) {
    const match = STAMP.exec(part);
    if (match) stamps.push({ accountId: Number(match[1]), issuedAt: parseInt(match[2]!, 36), mac: match[3]! });
  }
  return stamps;
}

/**
 * The key this device's sign-in failures count under when the cookie holds a valid, unexpired
 * stamp for this account and its current password; null when the device is not known.
 */
export function findKnownDevice(cookie: string | null, secret: string, account: { id: number; passwordHash: string }, now = new Date()): string | null {
  const stamp = parseStamps(cookie).find((stamp) => {
    if (stamp.accountId !== account.id) return false;
    if (stamp.issuedAt > now.getTime() + 60_000 || now.getTime() - stamp.issuedAt >= KNOWN_DEVICE_MS) return false;
    const expected = Buffer.from(macOf(secret, account.id, stamp.issuedAt, account.passwordHash));
    const given = Buffer.from(stamp.mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return stamp ? `${stamp.accountId}.${stamp.mac}` : null;
}

/**
 * The cookie value after a completed sign-in: a fresh stamp for this account first, then the
 * browser's stamps for other accounts (at most five in all).
 */
export function rememberDevice(cookie: string | null, secret: string, account: { id: number; passwordHash: string }, now = new Date()): string {
  const issuedAt = now.getTime();
  const fresh = `${account.id}.${issuedAt.toString(36)}.${macOf(secret, account.id, issuedAt, account.passwordHash)}`;
  const others = parseStamps(cookie)
    .filter((stamp) => stamp.accountId !== account.id && now.getTime() - stamp.issuedAt < KNOWN_DEVICE_MS)
    .map((stamp) => `${stamp.accountId}.${stamp.issuedAt.toString(36)}.${stamp.mac}`);
  return [fresh, ...others].slice(0, MAX_ACCOUNTS_PER_DEVICE).join('~');
}
