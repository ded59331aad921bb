// Two-factor keys at rest: the home of how an account's TOTP key is sealed into, and opened
// from, accounts.totp_key. AES-256-GCM (node:crypto) with a 96-bit random IV; the account id
// is the additional authenticated data, so a sealed key copied onto another account does not
// open. Stored as "v1:" + base64(iv | tag | ciphertext). Values without a version prefix are
// the plain base64 keys written before encryption (legacy): they still open, and callers
// re-seal them. Pure: the encryption key is passed in (see totp-keys.ts for where it comes from).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** TOTP keys are 20 bytes (160 bits); anything else in the column is not one of ours. */
const MIN_KEY_BYTES = 10;
const MAX_KEY_BYTES = 64;

/**
 * A TOTP_ENCRYPTION_KEY value as 32 bytes: 64 hex digits, or base64 / base64url (with or
 * without padding) of 32 bytes. Null when it is neither.
 */
export function parseTotpEncryptionKey(value: string): Buffer | null {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

/**
 * The development fallback: a key derived (HKDF-SHA256) from the database's own random secret
 * (the one behind the keyed address hashes). It lives in the same database, so it only keeps
 * keys out of plain sight (a query, a table export); production must set TOTP_ENCRYPTION_KEY,
 * and start-up refuses an https: site without it.
 */
export function deriveTotpEncryptionKey(databaseSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', databaseSecret, 'council-service-alerts', 'totp-encryption-key v1', 32));
}

function additionalData(accountId: number): Buffer {
  return Buffer.from(`accounts.totp_key:${accountId}`);
}

/** Seals a TOTP key for one account: "v1:" + base64(iv | tag | ciphertext). */
export function sealTotpKey(totpKey: Uint8Array, encryptionKey: Buffer, accountId: number): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(accountId));
  const ciphertext = Buffer.concat([cipher.update(totpKey), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

export type OpenedTotpKey =
  /** `legacy`: stored as plain base64 (before encryption) — seal it again. */
  | { ok: true; key: Uint8Array; legacy: boolean }
  /** `wrong-key`: sealed, but not with this key (or altered); `unreadable`: not a key at all. */
  | { ok: false; reason: 'wrong-key' | 'unreadable' };

/** Whether a stored value is sealed (any version), as opposed to a legacy plain key. */
export function isSealed(stored: string): boolean {
  return /^v\d+:/.test(stored);
}

/** Opens a stored value with a key; legacy plain-base64 values open without one. */
export function openTotpKey(stored: string, encryptionKey: Buffer, accountId: number): OpenedTotpKey {
  if (!isSealed(stored)) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(stored)) return { ok: false, reason: 'unreadable' };
    const key = Buffer.from(stored, 'base64');
    if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return { ok: false, reason: 'unreadable' };
    return { ok: true, key: new Uint8Array(key), legacy: true };
  }
  if (!stored.startsWith(VERSION)) return { ok: false, reason: 'unreadable' };
  const bytes = Buffer.from(stored.slice(VERSION.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES + MIN_KEY_BYTES) return { ok: false, reason: 'unreadable' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(accountId));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const key = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return { ok: true, key: new Uint8Array(key), legacy: false };
  } catch {
    return { ok: false, reason: 'wrong-key' };
  }
}
