// The sign-in throttling policy without a server: how long an unknown device waits, and the
// known-device stamps (signed, bound to the account and its password, expiring).
import { describe, expect, it } from 'vitest';
import { findKnownDevice, KNOWN_DEVICE_MS, rememberDevice } from '../../../src/lib/auth/known-devices.ts';
import { describeSignInDetail, signInClaims, unknownDeviceDelayMs } from '../../../src/lib/auth/sign-in-limits.ts';

const SECRET = 'a-database-secret';
const owner = { id: 7, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$salt$hash' };
const now = new Date('2026-12-01T07:00:00Z');

describe('the wait before an unknown device’s password is checked', () => {
  it('is nothing for the first three failures from an address, then 1 s and 2 s', () => {
    expect([0, 1, 2, 3, 4].map((failures) => unknownDeviceDelayMs(failures, 0))).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('starts at 1 s once the account has had 50 failures from new devices, doubling every 10, never above 10 s', () => {
    expect([49, 50, 59, 60, 70, 80, 90, 500].map((failures) => unknownDeviceDelayMs(0, failures))).toEqual([0, 1000, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('is the longer of the two', () => {
    expect(unknownDeviceDelayMs(4, 60)).toBe(2000);
    expect(unknownDeviceDelayMs(3, 75)).toBe(4000);
  });
});

describe('what a sign-in attempt is counted under', () => {
  it('from a known device: only that device, for that account', () => {
    expect(signInClaims('a@example.org', 'h'.repeat(32), '7.mac').map((c) => [c.limit.bucket, c.key, c.enforce])).toEqual([['sign-in:known-device', '7.mac', true]]);
  });

  it('from anywhere else: the account and address together, the address, and the account-wide count (not a limit)', () => {
    expect(signInClaims('a@example.org', 'h'.repeat(32), null).map((c) => [c.limit.bucket, c.key, c.enforce])).toEqual([
      ['sign-in:account-address', `${'h'.repeat(32)}:a@example.org`, true],
      ['sign-in:address', 'h'.repeat(32), true],
      ['sign-in:account-wide', 'a@example.org', false],
    ]);
  });
});

describe('known devices', () => {
  it('are recognised by the stamp a completed sign-in left in the cookie', () => {
    const cookie = rememberDevice(null, SECRET, owner, now);
    expect(findKnownDevice(cookie, SECRET, owner, new Date(now.getTime() + 60_000))).toMatch(/^7\./);
    expect(findKnownDevice(null, SECRET, owner, now)).toBeNull();
  });

  it('are not known to another account, under another secret, or after the password changes', () => {
    const cookie = rememberDevice(null, SECRET, owner, now);
    expect(findKnownDevice(cookie, SECRET, { ...owner, id: 8 }, now)).toBeNull();
    expect(findKnownDevice(cookie, 'another-secret', owner, now)).toBeNull();
    expect(findKnownDevice(cookie, SECRET, { ...owner, passwordHash: `${owner.passwordHash}x` }, now)).toBeNull();
  });

  it('cannot be forged by editing the stamp', () => {
    const [id, issued, mac] = rememberDevice(null, SECRET, owner, now).split('.');
    expect(findKnownDevice(`8.${issued}.${mac}`, SECRET, { ...owner, id: 8 }, now)).toBeNull();
    expect(findKnownDevice(`${id}.${(Number.parseInt(issued!, 36) + 1).toString(36)}.${mac}`, SECRET, owner, now)).toBeNull();
    expect(findKnownDevice(`${id}.${issued}.${'A'.repeat(22)}`, SECRET, owner, now)).toBeNull();
  });

  it('are forgotten a year after their last sign-in', () => {
    const cookie = rememberDevice(null, SECRET, owner, now);
    expect(findKnownDevice(cookie, SECRET, owner, new Date(now.getTime() + KNOWN_DEVICE_MS - 1000))).not.toBeNull();
    expect(findKnownDevice(cookie, SECRET, owner, new Date(now.getTime() + KNOWN_DEVICE_MS))).toBeNull();
  });

  it('keep the stamps of other accounts signed in from the same browser, five at most', () => {
    let cookie: string | null = null;
    for (let id = 1; id <= 7; id++) cookie = rememberDevice(cookie, SECRET, { ...owner, id }, new Date(now.getTime() + id * 1000));
    const later = new Date(now.getTime() + 60_000);
    expect([1, 2, 3, 4, 5, 6, 7].map((id) => findKnownDevice(cookie, SECRET, { ...owner, id }, later) !== null)).toEqual([false, false, true, true, true, true, true]);
  });
});

describe('sign-in events in the audit log', () => {
  it('say which device, which address and how long it waited', () => {
    expect(describeSignInDetail('sign-in', { device: 'known', address: 'abcd1234' })).toBe('From a known device, at address abcd1234');
    expect(describeSignInDetail('sign-in-failed', { device: 'new', address: 'abcd1234', delayedMs: 2000 })).toBe(
      'From a new device, at address abcd1234. Made to wait 2 s before the password check',
    );
    expect(describeSignInDetail('sign-in-throttled', { limit: 'account-and-address', device: 'new', address: 'abcd1234' })).toBe(
      '5 failed attempts for this account from this address in 15 minutes. Password not checked. From a new device, at address abcd1234',
    );
  });
});
