// Two-factor keys at rest: sealed with AES-256-GCM, opened with the same key only, legacy
// plain-base64 keys still read, and the TOTP_ENCRYPTION_KEY formats.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveTotpEncryptionKey, isSealed, openTotpKey, parseTotpEncryptionKey, sealTotpKey } from '../../../src/lib/auth/totp-secret.ts';

const key = randomBytes(32);
const totpKey = new Uint8Array(randomBytes(20));

describe('sealTotpKey and openTotpKey', () => {
  it('seals a key as "v1:" and base64 that opens to the same key', () => {
    const sealed = sealTotpKey(totpKey, key, 7);
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+={0,2}$/);
    // iv (12) + tag (16) + ciphertext (20)
    expect(Buffer.from(sealed.slice(3), 'base64')).toHaveLength(48);
    expect(isSealed(sealed)).toBe(true);
    expect(openTotpKey(sealed, key, 7)).toEqual({ ok: true, key: totpKey, legacy: false });
  });

  it('never stores the key itself, and seals it differently each time', () => {
    const first = sealTotpKey(totpKey, key, 7);
    const second = sealTotpKey(totpKey, key, 7);
    expect(first).not.toBe(second);
    expect(Buffer.from(first.slice(3), 'base64').includes(Buffer.from(totpKey))).toBe(false);
    expect(first).not.toContain(Buffer.from(totpKey).toString('base64'));
  });

  it('does not open with a different key', () => {
    expect(openTotpKey(sealTotpKey(totpKey, key, 7), randomBytes(32), 7)).toEqual({ ok: false, reason: 'wrong-key' });
  });

  it('does not open on another account (a sealed key copied across rows)', () => {
    expect(openTotpKey(sealTotpKey(totpKey, key, 7), key, 8)).toEqual({ ok: false, reason: 'wrong-key' });
  });

  it('does not open when the stored value was altered', () => {
    const bytes = Buffer.from(sealTotpKey(totpKey, key, 7).slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    expect(openTotpKey('v1:' + bytes.toString('base64'), key, 7)).toEqual({ ok: false, reason: 'wrong-key' });
  });

  it('reads a legacy value (plain base64, from before encryption) and says it is legacy', () => {
    const legacy = Buffer.from(totpKey).toString('base64');
    expect(isSealed(legacy)).toBe(false);
    expect(openTotpKey(legacy, key, 7)).toEqual({ ok: true, key: totpKey, legacy: true });
  });

  it('refuses values that are neither', () => {
    expect(openTotpKey('v2:AAAA', key, 7)).toEqual({ ok: false, reason: 'unreadable' });
    expect(openTotpKey('v1:AAAA', key, 7)).toEqual({ ok: false, reason: 'unreadable' });
    expect(openTotpKey('not base64!', key, 7)).toEqual({ ok: false, reason: 'unreadable' });
    expect(openTotpKey('', key, 7)).toEqual({ ok: false, reason: 'unreadable' });
  });
});

describe('parseTotpEncryptionKey', () => {
  const bytes = randomBytes(32);

  it('accepts 32 bytes as base64 (what the README command prints), base64url or hex', () => {
    expect(parseTotpEncryptionKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseTotpEncryptionKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(parseTotpEncryptionKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseTotpEncryptionKey(` ${bytes.toString('hex').toUpperCase()}\n`)).toEqual(bytes);
  });

  it('refuses anything that is not 32 bytes', () => {
    expect(parseTotpEncryptionKey(randomBytes(16).toString('base64'))).toBeNull();
    expect(parseTotpEncryptionKey(randomBytes(31).toString('hex'))).toBeNull();
    expect(parseTotpEncryptionKey('correct horse battery staple, correct horse')).toBeNull();
    expect(parseTotpEncryptionKey('')).toBeNull();
  });
});

describe('deriveTotpEncryptionKey', () => {
  it('derives the same 32-byte key from the same database secret, and another from another', () => {
    const a = deriveTotpEncryptionKey('secret-one');
    expect(a).toHaveLength(32);
    expect(deriveTotpEncryptionKey('secret-one')).toEqual(a);
    expect(deriveTotpEncryptionKey('secret-two')).not.toEqual(a);
    expect(openTotpKey(sealTotpKey(totpKey, a, 1), a, 1)).toMatchObject({ ok: true });
  });
});
