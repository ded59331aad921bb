// Start-up settings check: the home of the rules that refuse an unsafe or malformed
// configuration before the server opens the database or a port. Pure (reads only the
// environment it is given); src/scripts/start.ts and src/scripts/serve.ts call it first.
// Every problem names its variable and never repeats a secret's value.
import { parseTotpEncryptionKey } from '../auth/totp-secret.ts';

export interface SettingsCheck {
  /** Refuse to start: one line per problem, each starting with the variable's name. */
  errors: string[];
  /** Start, but say so. */
  warnings: string[];
}

type Env = Record<string, string | undefined>;

/**
 * A variable's value, undefined when unset. Variables the scripts read (PORT, CACHE_CHECK_MS,
 * PAGE_CACHE, LOG_REQUESTS) and the optional secrets treat a blank value as unset; astro:env
 * does not (a blank number or boolean fails there), so for those blank is checked as a value.
 */
function given(env: Env, name: string, blankIsUnset = true): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  return blankIsUnset && value.trim() === '' ? undefined : value;
}

function siteUrl(env: Env): URL | null {
  const value = given(env, 'SITE_URL', false);
  if (value === undefined) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Production is a site served over HTTPS: its public address (SITE_URL) is an https: URL. */
export function isProductionSite(env: Env): boolean {
  return siteUrl(env)?.protocol === 'https:';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks the environment the server would run with. */
export function checkSettings(env: Env): SettingsCheck {
  const errors: string[] = [];
  const warnings: string[] = [];

  const port = given(env, 'PORT');
  if (port !== undefined && !(/^\d{1,5}$/.test(port.trim()) && Number(port) >= 1 && Number(port) <= 65535)) {
    errors.push(`PORT must be a port number from 1 to 65535 (it is "${port}")`);
  }

  const demo = given(env, 'DEMO');
  if (demo !== undefined && demo !== 'on' && demo !== 'off') errors.push(`DEMO must be "on" (load the demo council into an empty database) or "off" (start empty and set the site up) (it is "${demo}")`);

  const site = given(env, 'SITE_URL', false);
  const url = siteUrl(env);
  if (site !== undefined && (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))) {
    errors.push(`SITE_URL must be the site's public address, an http: or https: URL such as https://alerts.example.gov.uk (it is "${site}")`);
  }
  const production = url?.protocol === 'https:';
  if (url?.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    warnings.push(`SITE_URL is http: (${url.origin}): staff session cookies are not marked Secure and production checks are off; a public site should use https:`);
  }

  for (const [name, what] of [
    ['CACHE_CHECK_MS', 'a number of milliseconds'],
    ['NEIGHBOUR_POLL_MINUTES', 'a whole number of minutes (0 turns polling off)'],
    ['SUGGESTIONS_PER_ADDRESS_PER_HOUR', 'a number'],
    ['SUGGESTIONS_WAITING_CAP', 'a number'],
    ['SUGGESTION_MIN_FILL_SECONDS', 'a number of seconds'],
  ] as const) {
    const value = given(env, name, name === 'CACHE_CHECK_MS');
    if (value === undefined) continue;
    const number = value.trim() === '' ? NaN : Number(value);
    const whole = name === 'NEIGHBOUR_POLL_MINUTES';
    if (!Number.isFinite(number) || number < 0 || (whole && !Number.isInteger(number))) {
      errors.push(`${name} must be ${what}, 0 or more (it is "${value}")`);
    }
  }

  const allowPrivate = given(env, 'NEIGHBOUR_FEEDS_ALLOW_PRIVATE', false);
  if (allowPrivate !== undefined && allowPrivate !== 'true' && allowPrivate !== 'false') {
    errors.push(`NEIGHBOUR_FEEDS_ALLOW_PRIVATE must be true or false (it is "${allowPrivate}")`);
  } else if (allowPrivate === 'true' && production) {
    errors.push(
      'NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true is refused when SITE_URL is https: (production): it would let an admin’s feed address reach the council’s own network. Remove it or set it to false',
    );
  }

  for (const name of ['PAGE_CACHE', 'LOG_REQUESTS'] as const) {
    const value = given(env, name);
    if (value !== undefined && value !== 'on' && value !== 'off') errors.push(`${name} must be on or off (it is "${value}")`);
  }

  const totpKey = given(env, 'TOTP_ENCRYPTION_KEY');
  if (totpKey !== undefined && !parseTotpEncryptionKey(totpKey)) {
    errors.push('TOTP_ENCRYPTION_KEY must be 32 random bytes written as base64 (44 characters) or hex (64 characters)');
  } else if (totpKey === undefined && production) {
    errors.push(
      "TOTP_ENCRYPTION_KEY must be set when SITE_URL is https: (production): it encrypts staff two-factor keys. Make one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
    );
  }

  const databaseUrl = given(env, 'DATABASE_URL', false);
  if (databaseUrl !== undefined) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
    if (!scheme || !['file', 'libsql', 'http', 'https', 'ws', 'wss'].includes(scheme)) {
      errors.push('DATABASE_URL must be a file: path or a libsql://, https:// (or http://, wss://, ws://) URL of a libSQL server');
    } else if (['libsql', 'https', 'wss'].includes(scheme) && given(env, 'DATABASE_AUTH_TOKEN') === undefined) {
      warnings.push(`DATABASE_AUTH_TOKEN is not set for a ${scheme}: DATABASE_URL: a hosted libSQL server (Turso) will refuse the connection`);
    }
  }

  return { errors, warnings };
}
