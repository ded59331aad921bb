// Start-up settings check: each unsafe or malformed setting is refused (or warned about) with
// a line that names its variable.
import { describe, expect, it } from 'vitest';
import { checkSettings, isProductionSite } from '../../../src/lib/server/settings-check.ts';

const KEY = 'q8sSRm1Hk7fq3YQf0wU6qg1tC2pXQkz3xY7w2c9e1bA=';
const PRODUCTION = { SITE_URL: 'https://alerts.example.gov.uk', TOTP_ENCRYPTION_KEY: KEY };

function errorsFor(env: Record<string, string | undefined>): string[] {
  return checkSettings(env).errors;
}

describe('checkSettings', () => {
  it('accepts no settings at all (the demo) and a complete production set', () => {
    expect(checkSettings({})).toEqual({ errors: [], warnings: [] });
    expect(
      checkSettings({ ...PRODUCTION, PORT: '8080', DATABASE_URL: 'libsql://alerts.turso.io', DATABASE_AUTH_TOKEN: 't', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'false' }),
    ).toEqual({ errors: [], warnings: [] });
  });

  it('refuses NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true on an https: site, and allows it on http:', () => {
    const errors = errorsFor({ ...PRODUCTION, NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true is refused when SITE_URL is https:/);
    expect(errorsFor({ SITE_URL: 'http://localhost:4321', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' })).toEqual([]);
  });

  it('refuses an https: site without TOTP_ENCRYPTION_KEY, saying how to make one', () => {
    const errors = errorsFor({ SITE_URL: 'https://alerts.example.gov.uk' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TOTP_ENCRYPTION_KEY must be set when SITE_URL is https:/);
    expect(errors[0]).toContain("randomBytes(32).toString('base64')");
    expect(errorsFor({ SITE_URL: 'https://alerts.example.gov.uk', TOTP_ENCRYPTION_KEY: '' })).toHaveLength(1);
  });

  it('refuses a malformed TOTP_ENCRYPTION_KEY without repeating it', () => {
    const errors = errorsFor({ TOTP_ENCRYPTION_KEY: 'my-password-1234' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TOTP_ENCRYPTION_KEY must be 32 random bytes/);
    expect(errors[0]).not.toContain('my-password-1234');
    expect(errorsFor({ TOTP_ENCRYPTION_KEY: 'ab'.repeat(32) })).toEqual([]);
  });

  it('refuses a PORT that is not a port', () => {
    for (const port of ['http', '0', '65536', '80.5', '-1']) expect(errorsFor({ PORT: port })[0]).toMatch(/^PORT must be a port number/);
    expect(errorsFor({ PORT: '80' })).toEqual([]);
    expect(errorsFor({ PORT: '' })).toEqual([]);
  });

  it('refuses a DEMO that is neither on nor off', () => {
    expect(errorsFor({ DEMO: 'no' })[0]).toMatch(/^DEMO must be "on" .* or "off"/);
    expect(errorsFor({ DEMO: 'off' })).toEqual([]);
    expect(errorsFor({ DEMO: 'on' })).toEqual([]);
  });

  it('refuses a SITE_URL that is not an http(s) URL', () => {
    for (const site of ['alerts.example.gov.uk', 'ftp://alerts.example.gov.uk', '']) expect(errorsFor({ SITE_URL: site })[0]).toMatch(/^SITE_URL must be/);
  });

  it('refuses negative or non-numeric intervals and limits', () => {
    expect(errorsFor({ CACHE_CHECK_MS: '-1' })[0]).toMatch(/^CACHE_CHECK_MS must be/);
    expect(errorsFor({ CACHE_CHECK_MS: 'soon' })[0]).toMatch(/^CACHE_CHECK_MS must be/);
    expect(errorsFor({ NEIGHBOUR_POLL_MINUTES: '-5' })[0]).toMatch(/^NEIGHBOUR_POLL_MINUTES must be/);
    expect(errorsFor({ NEIGHBOUR_POLL_MINUTES: '2.5' })[0]).toMatch(/^NEIGHBOUR_POLL_MINUTES must be/);
    expect(errorsFor({ SUGGESTIONS_WAITING_CAP: 'lots' })[0]).toMatch(/^SUGGESTIONS_WAITING_CAP must be/);
    expect(errorsFor({ CACHE_CHECK_MS: '0', NEIGHBOUR_POLL_MINUTES: '0', SUGGESTION_MIN_FILL_SECONDS: '0' })).toEqual([]);
  });

  it('refuses on/off and true/false settings with other values', () => {
    expect(errorsFor({ LOG_REQUESTS: 'no' })[0]).toMatch(/^LOG_REQUESTS must be on or off/);
    expect(errorsFor({ PAGE_CACHE: 'disabled' })[0]).toMatch(/^PAGE_CACHE must be on or off/);
    expect(errorsFor({ NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'yes' })[0]).toMatch(/^NEIGHBOUR_FEEDS_ALLOW_PRIVATE must be true or false/);
    expect(errorsFor({ LOG_REQUESTS: 'off', PAGE_CACHE: 'on' })).toEqual([]);
  });

  it('refuses a DATABASE_URL that no libSQL client opens', () => {
    expect(errorsFor({ DATABASE_URL: 'data/alerts.db' })[0]).toMatch(/^DATABASE_URL must be/);
    expect(errorsFor({ DATABASE_URL: 'postgres://db/alerts' })[0]).toMatch(/^DATABASE_URL must be/);
    expect(errorsFor({ DATABASE_URL: 'file:data/alerts.db' })).toEqual([]);
  });

  it('warns, without refusing, about a libsql:// DATABASE_URL without DATABASE_AUTH_TOKEN', () => {
    const check = checkSettings({ DATABASE_URL: 'libsql://alerts.turso.io' });
    expect(check.errors).toEqual([]);
    expect(check.warnings).toHaveLength(1);
    expect(check.warnings[0]).toMatch(/^DATABASE_AUTH_TOKEN is not set/);
    expect(checkSettings({ DATABASE_URL: 'http://127.0.0.1:8080' }).warnings).toEqual([]);
  });

  it('warns about a public site on plain http:', () => {
    expect(checkSettings({ SITE_URL: 'http://alerts.example.gov.uk' }).warnings[0]).toMatch(/^SITE_URL is http:/);
    expect(checkSettings({ SITE_URL: 'http://127.0.0.1:4321' }).warnings).toEqual([]);
  });

  it('lists every problem, one line each', () => {
    const errors = errorsFor({ SITE_URL: 'https://alerts.example.gov.uk', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true', PORT: 'x' });
    expect(errors.map((e) => e.split(/[ =]/)[0])).toEqual(['PORT', 'NEIGHBOUR_FEEDS_ALLOW_PRIVATE', 'TOTP_ENCRYPTION_KEY']);
    for (const error of errors) expect(error).not.toMatch(/\n/);
  });
});

describe('isProductionSite', () => {
  it('is an https: SITE_URL', () => {
    expect(isProductionSite({ SITE_URL: 'https://alerts.example.gov.uk' })).toBe(true);
    expect(isProductionSite({ SITE_URL: 'http://localhost:4321' })).toBe(false);
    expect(isProductionSite({})).toBe(false);
  });
});
