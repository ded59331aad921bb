// The sign-in throttling policy: which limits a password attempt is reserved under, and how long
// an unknown device waits before its password is checked. No lock-out anyone else can trigger:
// every hard limit is per (account, address) or per (account, known device), or per address
// across accounts; the account as a whole only gets slower for unknown devices. (README: "Sessions
// the Lucia way".)
import {
  SIGN_IN_ACCOUNT_WIDE,
  SIGN_IN_PER_ACCOUNT_AND_ADDRESS,
  SIGN_IN_PER_ADDRESS,
  SIGN_IN_PER_KNOWN_DEVICE,
  type Claim,
  type RateLimit,
} from './rate-limit.ts';

/** The longest an unknown device is made to wait. */
export const MAX_SIGN_IN_DELAY_MS = 10_000;

/** Which limit refused an attempt, as the audit log records it. */
export type SignInLimitName = 'account-and-address' | 'address' | 'known-device';

export const SIGN_IN_LIMIT_NAMES = new Map<RateLimit, SignInLimitName>([
  [SIGN_IN_PER_ACCOUNT_AND_ADDRESS, 'account-and-address'],
  [SIGN_IN_PER_ADDRESS, 'address'],
  [SIGN_IN_PER_KNOWN_DEVICE, 'known-device'],
]);

/**
 * The claims one password attempt is reserved under. A known device counts only under its own
 * key (the owner's usual browser is not slowed, nor held back by an attacker sharing its
 * address). Anything else — including an email that has no account, so the answers do not tell
 * accounts apart — counts per (account, address), per address, and towards the account-wide
 * count of failures from unknown devices. Keys hold the email, or the address's keyed hash.
 */
export function signInClaims(email: string, addressKey: string, knownDeviceKey: string | null): Claim[] {
  if (knownDeviceKey) return [{ limit: SIGN_IN_PER_KNOWN_DEVICE, key: knownDeviceKey, enforce: true }];
  return [
    // The address hash has a fixed length, so the pair key cannot be read two ways.
    { limit: SIGN_IN_PER_ACCOUNT_AND_ADDRESS, key: `${addressKey}:${email}`, enforce: true },
    { limit: SIGN_IN_PER_ADDRESS, key: addressKey, enforce: true },
    { limit: SIGN_IN_ACCOUNT_WIDE, key: email, enforce: false },
  ];
}

/**
 * How long an unknown device waits before its password is checked, given the failures already
 * counted (reserved attempts included) for the pair and for the account from unknown devices:
 * nothing for the first three from an address, then 1 s and 2 s; and once the account has had
 * 50 failures from unknown devices in 15 minutes, 1 s doubling every 10 further failures, to
 * 10 s at most. The wait comes after the reservation and before the hash, so it holds a place
 * under the limits but no password-hashing thread.
 */
export function unknownDeviceDelayMs(pairFailuresBefore: number, accountFailuresBefore: number): number {
  const pair = pairFailuresBefore < 3 ? 0 : 1000 * 2 ** (pairFailuresBefore - 3);
  const threshold = SIGN_IN_ACCOUNT_WIDE.max;
  const account = accountFailuresBefore < threshold ? 0 : 1000 * 2 ** Math.floor((accountFailuresBefore - threshold) / 10);
  return Math.min(MAX_SIGN_IN_DELAY_MS, Math.max(pair, account));
}

/** A sign-in event's detail in plain words for the audit log (sign-in, failed, throttled, slowed). */
export function describeSignInDetail(action: string, d: Record<string, unknown>): string {
  const where = [
    d.device === 'known' ? 'From a known device' : d.device === 'new' ? 'From a new device' : '',
    typeof d.address === 'string' ? `address ${d.address}` : '',
  ].filter(Boolean).join(', at ');
  const waited = typeof d.delayedMs === 'number' ? `Made to wait ${d.delayedMs / 1000} s before the password check` : '';
  const parts: string[] = [];
  switch (action) {
    case 'sign-in':
      if (d.twoFactor === 'pending') parts.push('Two-factor code still to be entered');
      break;
    case 'sign-in-failed':
      if (d.reason === 'disabled') parts.push('The account is disabled');
      break;
    case 'sign-in-throttled':
      parts.push(
        {
          'account-and-address': `${SIGN_IN_PER_ACCOUNT_AND_ADDRESS.max} failed attempts for this account from this address in 15 minutes`,
          address: `${SIGN_IN_PER_ADDRESS.max} attempts from this address in 15 minutes`,
          'known-device': `${SIGN_IN_PER_KNOWN_DEVICE.max} failed attempts from this known device in 15 minutes`,
        }[String(d.limit)] ?? 'Too many attempts',
        'Password not checked',
      );
      break;
    case 'sign-in-slowed':
      return `${String(d.failures)} failed attempts from new devices in ${String(d.minutes)} minutes: new devices now wait before each password check (up to ${MAX_SIGN_IN_DELAY_MS / 1000} s); known devices are not slowed`;
  }
  return [...parts, where, waited].filter(Boolean).join('. ');
}
