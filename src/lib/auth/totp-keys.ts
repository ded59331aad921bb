// Where the two-factor encryption key comes from, and reading / writing an account's sealed
// TOTP key with it (the crypto itself is totp-secret.ts). The key is TOTP_ENCRYPTION_KEY; in
// development (an http: SITE_URL) without it, a key derived from the database's own secret,
// with a warning logged once. Keys written before encryption, or sealed with the development
// key before TOTP_ENCRYPTION_KEY was set, are sealed again with the current key when next read.
import { config } from '../server/config.ts';
import type { Database } from '../server/database.ts';
import { logEvent } from '../logging/log.ts';
import { replaceTotpKey } from '../accounts/repository.ts';
import { getHashSecret } from '../settings/repository.ts';
import { deriveTotpEncryptionKey, openTotpKey, parseTotpEncryptionKey, sealTotpKey } from './totp-secret.ts';

/** What staff are told when their two-factor key cannot be opened (the cause is in the log). */
export const TWO_FACTOR_UNAVAILABLE =
  'Your security code cannot be checked at the moment because of a problem with the site’s settings. Try again later, or contact the site administrator';

/** The key could not be had (malformed, or missing on an https: site): two-factor cannot be checked. */
export class TotpKeyUnavailableError extends Error {
  override name = 'TotpKeyUnavailableError';
}

let configuredKey: Buffer | null | undefined;
let developmentKey: Promise<Buffer> | undefined;
let warnedDevelopmentKey = false;

function readConfiguredKey(): Buffer | null {
  if (configuredKey !== undefined) return configuredKey;
  const value = config.totpEncryptionKey?.trim();
  if (!value) return (configuredKey = null);
  const key = parseTotpEncryptionKey(value);
  if (!key) throw new TotpKeyUnavailableError('TOTP_ENCRYPTION_KEY is not 32 bytes of base64 or hex');
  return (configuredKey = key);
}

function readDevelopmentKey(db: Database): Promise<Buffer> {
  developmentKey ??= getHashSecret(db).then(deriveTotpEncryptionKey);
  developmentKey.catch(() => (developmentKey = undefined));
  return developmentKey;
}

async function currentKey(db: Database): Promise<Buffer> {
  const configured = readConfiguredKey();
  if (configured) return configured;
  if (new URL(config.siteUrl).protocol === 'https:') throw new TotpKeyUnavailableError('TOTP_ENCRYPTION_KEY is not set on an https: site');
  if (!warnedDevelopmentKey) {
    warnedDevelopmentKey = true;
    logEvent('warn', 'TOTP_ENCRYPTION_KEY is not set: two-factor keys are encrypted with a key derived from the database’s own secret (development only)', {
      variable: 'TOTP_ENCRYPTION_KEY',
    });
  }
  return readDevelopmentKey(db);
}

/** The value to store in accounts.totp_key for a new TOTP key. Throws TotpKeyUnavailableError. */
export async function sealAccountTotpKey(db: Database, accountId: number, totpKey: Uint8Array): Promise<string> {
  return sealTotpKey(totpKey, await currentKey(db), accountId);
}

/**
 * An account's TOTP key from its stored value, or null when it cannot be opened (a wrong or
 * malformed TOTP_ENCRYPTION_KEY, an altered value) — logged as an error, never thrown, so the
 * sign-in can say two-factor cannot be checked. Legacy values are sealed again on the way.
 */
export async function openAccountTotpKey(db: Database, accountId: number, stored: string): Promise<Uint8Array | null> {
  let key: Buffer;
  try {
    key = await currentKey(db);
  } catch (error) {
    logEvent('error', 'two-factor key cannot be opened', { accountId, reason: 'no-key', error });
    return null;
  }
  let opened = openTotpKey(stored, key, accountId);
  let outdated = opened.ok && opened.legacy;
  if (!opened.ok && opened.reason === 'wrong-key' && readConfiguredKey()) {
    // Sealed with the development key before TOTP_ENCRYPTION_KEY was set?
    const fallback = await readDevelopmentKey(db).then(
      (development) => openTotpKey(stored, development, accountId),
      () => opened,
    );
    if (fallback.ok) [opened, outdated] = [fallback, true];
  }
  if (!opened.ok) {
    logEvent('error', 'two-factor key cannot be opened', {
      accountId,
      reason: opened.reason,
      hint: opened.reason === 'wrong-key' ? 'TOTP_ENCRYPTION_KEY is not the key the two-factor keys were encrypted with' : undefined,
    });
    return null;
  }
  if (outdated) {
    try {
      await replaceTotpKey(db, accountId, stored, sealTotpKey(opened.key, key, accountId));
      logEvent('info', 'two-factor key re-encrypted', { accountId });
    } catch (error) {
      logEvent('error', 'two-factor key could not be re-encrypted', { accountId, error });
    }
  }
  return opened.key;
}
