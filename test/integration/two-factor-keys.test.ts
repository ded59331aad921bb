// Two-factor keys are encrypted at rest (accounts.totp_key is "v1:…"), keys stored by the
// code before encryption still work and are encrypted when next used, and a wrong
// TOTP_ENCRYPTION_KEY makes the sign-in say two-factor cannot be checked — never a crash.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { decodeBase32IgnorePadding, decodeBase64 } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { accounts, rateLimitEvents } from '../../db/schema/index.ts';
import { openTotpKey, parseTotpEncryptionKey } from '../../src/lib/auth/totp-secret.ts';
import { openDatabase } from '../../src/lib/server/database.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, signIn, signInAs, type SignedIn } from '../helpers/staff.ts';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('hex');

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { TOTP_ENCRYPTION_KEY: KEY, NEIGHBOUR_POLL_MINUTES: '0' });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

async function storedKey(accountId: number): Promise<string | null> {
  const [row] = await t.db.select({ totpKey: accounts.totpKey }).from(accounts).where(eq(accounts.id, accountId));
  return row!.totpKey;
}

async function currentCode(key: Uint8Array): Promise<string> {
  const intoPeriod = (Date.now() / 1000) % 30;
  if (intoPeriod > 26) await new Promise((r) => setTimeout(r, (30 - intoPeriod) * 1000 + 200));
  return generateTOTP(key, 30, 6);
}

async function setUpTwoFactor(session: SignedIn): Promise<Uint8Array> {
  const page = await readHtml(await session.get('/staff/security?set-up=two-factor'));
  const keyText = page.querySelector('input[name="key"]')!.getAttribute('value')!;
  const key = decodeBase32IgnorePadding(keyText);
  const response = await session.post('/staff/security', { action: 'enable-two-factor', key: keyText, code: await currentCode(key) });
  expect(response.status).toBe(303);
  return key;
}

/** Signs in with the password, then enters the code on the two-factor step. */
async function signInWithCode(target: TestServer, email: string, key: Uint8Array): Promise<{ session: SignedIn; step: Response }> {
  await t.db.delete(rateLimitEvents);
  const session = await signIn(target, email);
  const step = await session.post('/staff/sign-in/two-factor', { code: await currentCode(key) });
  return { session, step };
}

async function waitForOutput(target: TestServer, text: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!target.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not in:\n${target.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two-factor keys at rest', () => {
  it('are stored encrypted with TOTP_ENCRYPTION_KEY, and still sign people in', async () => {
    const editor = await signInAs(t, server, 'editor');
    const key = await setUpTwoFactor(editor);
    const stored = (await storedKey(editor.accountId))!;
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain(Buffer.from(key).toString('base64'));
    expect(openTotpKey(stored, parseTotpEncryptionKey(KEY)!, editor.accountId)).toEqual({ ok: true, key, legacy: false });

    const { session, step } = await signInWithCode(server, editor.email, key);
    expect(step.status).toBe(303);
    expect((await session.get('/staff')).status).toBe(200);
  });

  it('stored as plain base64 by the code before encryption still work, and are encrypted when next used', async () => {
    const account = await createStaffAccount(t, 'editor');
    const key = new Uint8Array(randomBytes(20));
    await t.db.update(accounts).set({ totpKey: Buffer.from(key).toString('base64') }).where(eq(accounts.id, account.id));

    const { session, step } = await signInWithCode(server, account.email, key);
    expect(step.status).toBe(303);
    expect((await session.get('/staff')).status).toBe(200);
    const stored = (await storedKey(account.id))!;
    expect(stored).toMatch(/^v1:/);
    expect(openTotpKey(stored, parseTotpEncryptionKey(KEY)!, account.id)).toMatchObject({ ok: true, key, legacy: false });
    await waitForOutput(server, '"msg":"two-factor key re-encrypted"');
  });

  it('made in development without a key are encrypted with TOTP_ENCRYPTION_KEY once it is set', async () => {
    const development = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0' });
    let account: { id: number; email: string };
    let key: Uint8Array;
    try {
      const editor = await signInAs(t, development, 'editor');
      account = { id: editor.accountId, email: editor.email };
      key = await setUpTwoFactor(editor);
      await waitForOutput(development, '"level":"warn","msg":"TOTP_ENCRYPTION_KEY is not set');
    } finally {
      await development.stop();
    }
    const before = (await storedKey(account.id))!;
    expect(before).toMatch(/^v1:/);
    expect(openTotpKey(before, parseTotpEncryptionKey(KEY)!, account.id)).toMatchObject({ ok: false });

    const { step } = await signInWithCode(server, account.email, key);
    expect(step.status).toBe(303);
    expect(openTotpKey((await storedKey(account.id))!, parseTotpEncryptionKey(KEY)!, account.id)).toMatchObject({ ok: true, key });
  });

  it('sealed with another key: the sign-in says two-factor cannot be checked, and the error is logged', async () => {
    const editor = await signInAs(t, server, 'editor');
    const key = await setUpTwoFactor(editor);
    const stored = await storedKey(editor.accountId);
    const misconfigured = await startServer(t.url, { TOTP_ENCRYPTION_KEY: OTHER_KEY, NEIGHBOUR_POLL_MINUTES: '0' });
    try {
      const { session, step } = await signInWithCode(misconfigured, editor.email, key);
      expect(step.status).toBe(503);
      const summary = textOf((await readHtml(step)).querySelector('.govuk-error-summary'));
      expect(summary).toContain('Your security code cannot be checked at the moment');
      expect(summary).not.toContain('The code is not right');
      expect((await session.get('/staff')).status).toBe(303);
      await waitForOutput(misconfigured, '"level":"error","msg":"two-factor key cannot be opened"');
      expect(misconfigured.output()).toContain('"reason":"wrong-key"');
      expect(await storedKey(editor.accountId)).toBe(stored);
      // The server carries on.
      expect((await misconfigured.get('/healthz')).status).toBe(200);
    } finally {
      await misconfigured.stop();
    }
  });

  it('in a database made by release 0.1 (plain base64) still sign the admin in, and are encrypted then', async () => {
    const fixtures = 'test/fixtures/databases';
    const manifest = JSON.parse(readFileSync(join(fixtures, 'release-0.1.json'), 'utf8')) as {
      password: string;
      accounts: { email: string; totpKeyBase64?: string }[];
    };
    const admin = manifest.accounts.find((a) => a.totpKeyBase64)!;
    const dir = mkdtempSync(join(tmpdir(), 'csa-release-'));
    const url = `file:${join(dir, 'release.db')}`;
    copyFileSync(join(fixtures, 'release-0.1.db'), join(dir, 'release.db'));
    const upgraded = await startServer(url, { TOTP_ENCRYPTION_KEY: KEY, NEIGHBOUR_POLL_MINUTES: '0' });
    const handle = await openDatabase(url);
    try {
      const read = async () => (await handle.db.select({ id: accounts.id, totpKey: accounts.totpKey }).from(accounts).where(eq(accounts.email, admin.email)))[0]!;
      expect((await read()).totpKey).toBe(admin.totpKeyBase64);
      const session = await signIn(upgraded, admin.email, manifest.password);
      const key = decodeBase64(admin.totpKeyBase64!);
      expect((await session.post('/staff/sign-in/two-factor', { code: await currentCode(key) })).status).toBe(303);
      const row = await read();
      expect(row.totpKey).toMatch(/^v1:/);
      expect(openTotpKey(row.totpKey!, parseTotpEncryptionKey(KEY)!, row.id)).toMatchObject({ ok: true, key });
    } finally {
      handle.client.close();
      await upgraded.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
