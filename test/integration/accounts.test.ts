// Staff accounts over HTTP against the real built server: administrators manage accounts, roles
// and places; the audit log; disabling; sign-in throttling; two-factor; session cookie flags.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { decodeBase32IgnorePadding, encodeBase64 } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { accounts, auditEvents, placeGrants, places, rateLimitEvents, services } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { asSignedIn, createStaffAccount, formBody, signIn, signInAs, TEST_PASSWORD } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});
// Every test signs in from the same address: start each with no sign-in attempts counted.
beforeEach(async () => {
  await t.db.delete(rateLimitEvents);
});

/** A sign-in attempt as a browser makes it, without the helper's insistence on success. */
function attemptSignIn(email: string, password: string, target = server): Promise<Response> {
  return target.get('/staff/sign-in', {
    method: 'POST',
    headers: { Origin: target.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ email, password }),
  });
}

async function auditRows(action: string, subject: string) {
  return t.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.subject, subject)));
}

async function findAccountRow(id: number) {
  const [row] = await t.db.select().from(accounts).where(eq(accounts.id, id));
  return row!;
}

/** A TOTP code that will still be valid for a few seconds (never one about to roll over). */
async function currentCode(key: Uint8Array): Promise<string> {
  const intoPeriod = (Date.now() / 1000) % 30;
  if (intoPeriod > 26) await new Promise((r) => setTimeout(r, (30 - intoPeriod) * 1000 + 200));
  return generateTOTP(key, 30, 6);
}

function wrongCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

/** Sets up two-factor on the security page as a person would; returns the key their app holds. */
async function setUpTwoFactor(session: ReturnType<typeof asSignedIn>): Promise<Uint8Array> {
  const page = await readHtml(await session.get('/staff/security?set-up=two-factor'));
  const keyText = page.querySelector('input[name="key"]')?.getAttribute('value') ?? '';
  expect(textOf(page.querySelector('#setup-key')).replace(/\s/g, '')).toBe(keyText);
  expect(page.querySelector('#setup-uri')?.getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
  const key = decodeBase32IgnorePadding(keyText);
  expect(key).toHaveLength(20);
  const response = await session.post('/staff/security', { action: 'enable-two-factor', key: keyText, code: await currentCode(key) });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/staff/security?done=two-factor-enabled');
  return key;
}

describe('creating accounts and granting places', () => {
  it('lets an admin create a reporter and grant it a school, which then shows on the reporter dashboard', async () => {
    const admin = await signInAs(t, server, 'admin');
    const email = `school-office-${Date.now()}@example.org`;
    const created = await admin.post('/staff/accounts', { name: 'Almondbury office', email, role: 'reporter', password: 'snowy morning office key' });
    expect(created.status).toBe(303);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(/^\/staff\/accounts\/\d+\?done=created$/);
    const accountId = Number(/accounts\/(\d+)/.exec(location)![1]);
    expect(textOf((await readHtml(await admin.get(location))).querySelector('.govuk-notification-banner'))).toContain('Account created');

    const [school] = await t.db
      .select({ id: places.id, name: places.name })
      .from(places)
      .innerJoin(services, eq(places.serviceId, services.id))
      .where(eq(services.slug, 'schools'))
      .limit(1);
    const search = await readHtml(await admin.get(`/staff/accounts/${accountId}?q=${encodeURIComponent(school!.name.slice(0, 12))}`));
    const grantForm = search.querySelectorAll('#search-results form').find((f) => f.querySelector('input[name="place"]')?.getAttribute('value') === String(school!.id));
    expect(grantForm).toBeDefined();
    expect(textOf(grantForm!.querySelector('button'))).toContain('Grant');

    expect(grantForm!.getAttribute('action')).toBe(`/staff/accounts/${accountId}?q=${encodeURIComponent(school!.name.slice(0, 12))}`);
    const granted = await admin.post(grantForm!.getAttribute('action')!, { action: 'grant', place: String(school!.id) });
    expect(granted.status).toBe(303);
    expect(granted.headers.get('location')).toBe(`/staff/accounts/${accountId}?done=grant-added&q=${encodeURIComponent(school!.name.slice(0, 12))}`);
    const afterGrant = await readHtml(await admin.get(granted.headers.get('location')!));
    expect(textOf(afterGrant.querySelector('#granted-places'))).toContain(school!.name);
    expect(await auditRows('grant-added', email)).toHaveLength(1);

    const list = await readHtml(await admin.get('/staff/accounts'));
    const row = list.querySelectorAll('tbody tr').find((r) => textOf(r).includes(email));
    expect(textOf(row)).toContain('Trusted reporter');
    expect(textOf(row?.querySelector('[data-label="Places"]'))).toBe('1');

    const reporter = await signIn(server, email, 'snowy morning office key');
    const dashboard = await reporter.get('/staff');
    expect(dashboard.status).toBe(200);
    expect(textOf((await readHtml(dashboard)).querySelector('main'))).toContain(school!.name);
  });

  it('removes a granted place', async () => {
    const admin = await signInAs(t, server, 'admin');
    const reporter = await createStaffAccount(t, 'reporter');
    const [place] = await t.db.select({ id: places.id }).from(places).limit(1);
    await t.db.insert(placeGrants).values({ accountId: reporter.id, placeId: place!.id });
    const response = await admin.post(`/staff/accounts/${reporter.id}`, { action: 'remove-grant', place: String(place!.id) });
    expect(response.status).toBe(303);
    expect(await t.db.select().from(placeGrants).where(eq(placeGrants.accountId, reporter.id))).toHaveLength(0);
    expect(await auditRows('grant-removed', reporter.email)).toHaveLength(1);
  });

  it('refuses a second account with the same email address, keeping what was typed', async () => {
    const admin = await signInAs(t, server, 'admin');
    const existing = await createStaffAccount(t, 'editor');
    const response = await admin.post('/staff/accounts', { name: 'Someone Else', email: existing.email.toUpperCase(), role: 'editor', password: 'another long password' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('There is already an account with this email address');
    expect(doc.querySelector('#name')?.getAttribute('value')).toBe('Someone Else');
    expect(doc.querySelector('#role-editor')?.hasAttribute('checked')).toBe(true);
  });

  it('explains what is wrong with a new account form', async () => {
    const admin = await signInAs(t, server, 'admin');
    const response = await admin.post('/staff/accounts', { name: '', email: 'not an email', password: 'short' });
    expect(response.status).toBe(400);
    const summary = textOf((await readHtml(response)).querySelector('.govuk-error-summary'));
    expect(summary).toContain('Enter a name');
    expect(summary).toContain('Enter an email address in the correct format');
    expect(summary).toContain('Choose a role');
    expect(summary).toContain('Password must be 12 characters or more');
  });
});

describe('changing accounts', () => {
  it('audits a role change, with who made it and from what to what', async () => {
    const admin = await signInAs(t, server, 'admin', 'Audit Admin');
    const editor = await createStaffAccount(t, 'editor');
    const response = await admin.post(`/staff/accounts/${editor.id}`, { action: 'role', role: 'reporter' });
    expect(response.status).toBe(303);
    expect((await findAccountRow(editor.id)).role).toBe('reporter');
    const [event] = await auditRows('role-changed', editor.email);
    expect(event).toMatchObject({ accountId: admin.accountId, detail: { from: 'editor', to: 'reporter' } });

    const log = await readHtml(await admin.get('/staff/audit?action=role-changed'));
    const row = log.querySelectorAll('tbody tr').find((r) => textOf(r).includes(editor.email));
    expect(textOf(row)).toContain('Role changed');
    expect(textOf(row)).toContain('Audit Admin');
    expect(textOf(row)).toContain('From Editor to Trusted reporter');
    expect(log.querySelectorAll('tbody tr').every((r) => r.getAttribute('data-action') === 'role-changed')).toBe(true);
  });

  it('changes the name and sets a new password, signing the account out', async () => {
    const admin = await signInAs(t, server, 'admin');
    const editor = await signInAs(t, server, 'editor');
    const renamed = await admin.post(`/staff/accounts/${editor.accountId}`, { action: 'update', name: 'Renamed Person', email: editor.email });
    expect(renamed.status).toBe(303);
    expect((await findAccountRow(editor.accountId)).name).toBe('Renamed Person');
    expect(await auditRows('account-updated', editor.email)).toHaveLength(1);

    const reset = await admin.post(`/staff/accounts/${editor.accountId}`, { action: 'password', password: 'a brand new password' });
    expect(reset.status).toBe(303);
    expect(await auditRows('password-changed', editor.email)).toHaveLength(1);
    expect((await editor.get('/staff')).status).toBe(303);
    expect((await attemptSignIn(editor.email, TEST_PASSWORD)).status).toBe(401);
    expect((await attemptSignIn(editor.email, 'a brand new password')).status).toBe(303);
  });

  it('ends a disabled account’s sessions at once and refuses its sign-in, until enabled again', async () => {
    const admin = await signInAs(t, server, 'admin');
    const editor = await signInAs(t, server, 'editor');
    expect((await editor.get('/staff')).status).toBe(200);

    const disabled = await admin.post(`/staff/accounts/${editor.accountId}`, { action: 'disable' });
    expect(disabled.status).toBe(303);
    const next = await editor.get('/staff');
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toMatch(/^\/staff\/sign-in/);
    expect((await attemptSignIn(editor.email, TEST_PASSWORD)).status).toBe(401);
    expect(await auditRows('account-disabled', editor.email)).toHaveLength(1);
    expect(textOf((await readHtml(await admin.get('/staff/accounts'))).querySelectorAll('tbody tr').find((r) => textOf(r).includes(editor.email)))).toContain('Disabled');

    expect((await admin.post(`/staff/accounts/${editor.accountId}`, { action: 'enable' })).status).toBe(303);
    expect(await auditRows('account-enabled', editor.email)).toHaveLength(1);
    expect((await attemptSignIn(editor.email, TEST_PASSWORD)).status).toBe(303);
  });

  it('does not let an admin disable or demote themselves', async () => {
    const admin = await signInAs(t, server, 'admin');
    const disable = await admin.post(`/staff/accounts/${admin.accountId}`, { action: 'disable' });
    expect(disable.status).toBe(400);
    expect(textOf((await readHtml(disable)).querySelector('.govuk-error-summary'))).toContain('You cannot disable your own account');

    const demote = await admin.post(`/staff/accounts/${admin.accountId}`, { action: 'role', role: 'editor' });
    expect(demote.status).toBe(400);
    const doc = await readHtml(demote);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('You cannot change your own role');
    expect(doc.querySelector('#role-editor')?.hasAttribute('checked')).toBe(true);

    const row = await findAccountRow(admin.accountId);
    expect(row.role).toBe('admin');
    expect(row.disabledAt).toBeNull();
    expect((await admin.get('/staff/accounts')).status).toBe(200);
  });

  it('answers 404 for an account that does not exist', async () => {
    const admin = await signInAs(t, server, 'admin');
    expect((await admin.get('/staff/accounts/999999')).status).toBe(404);
    expect((await admin.get('/staff/accounts/abc')).status).toBe(404);
    expect((await admin.post('/staff/accounts/999999', { action: 'disable' })).status).toBe(404);
  });

  it('answers 400 to a form it does not know', async () => {
    const admin = await signInAs(t, server, 'admin');
    expect((await admin.post(`/staff/accounts/${admin.accountId}`, { action: 'delete-everything' })).status).toBe(400);
    expect((await admin.post('/staff/security', { action: 'delete-everything' })).status).toBe(400);
  });

  it('finds places by name with LIKE wildcards taken literally', async () => {
    const admin = await signInAs(t, server, 'admin');
    const reporter = await createStaffAccount(t, 'reporter');
    const none = await readHtml(await admin.get(`/staff/accounts/${reporter.id}?q=${encodeURIComponent('%')}`));
    expect(textOf(none.querySelector('#search-results'))).toContain('No places match');
    const empty = await admin.get(`/staff/accounts/${reporter.id}?q=`);
    expect(empty.status).toBe(400);
    expect(textOf((await readHtml(empty)).querySelector('.govuk-error-summary'))).toContain('Enter the name of a place');
  });
});

describe('who may manage accounts', () => {
  for (const role of ['editor', 'reporter'] as const) {
    it(`refuses ${role}s the account pages, the audit log and every form there`, async () => {
      const session = await signInAs(t, server, role);
      const other = await createStaffAccount(t, 'reporter');
      for (const path of ['/staff/accounts', `/staff/accounts/${other.id}`, `/staff/accounts/${session.accountId}`, '/staff/audit']) {
        expect((await session.get(path)).status, path).toBe(403);
      }
      const email = `sneaky-${role}-${Date.now()}@example.org`;
      expect((await session.post('/staff/accounts', { name: 'Sneaky', email, role: 'admin', password: 'a long enough password' })).status).toBe(403);
      const [place] = await t.db.select({ id: places.id }).from(places).limit(1);
      const forms: Record<string, string>[] = [
        { action: 'update', name: 'Changed', email: 'changed@example.org' },
        { action: 'role', role: 'admin' },
        { action: 'grant', place: String(place!.id) },
        { action: 'remove-grant', place: String(place!.id) },
        { action: 'password', password: 'taken over password' },
        { action: 'disable' },
        { action: 'enable' },
      ];
      for (const target of [other.id, session.accountId]) {
        for (const fields of forms) {
          expect((await session.post(`/staff/accounts/${target}`, fields)).status, `${fields.action} on ${target}`).toBe(403);
        }
      }
      expect(await t.db.select().from(accounts).where(eq(accounts.email, email))).toHaveLength(0);
      expect((await findAccountRow(session.accountId)).role).toBe(role);
      expect((await findAccountRow(other.id)).name).not.toBe('Changed');
      expect(await t.db.select().from(placeGrants).where(eq(placeGrants.accountId, other.id))).toHaveLength(0);
    });
  }

  it('sends someone who is not signed in to sign in', async () => {
    for (const path of ['/staff/accounts', '/staff/accounts/1', '/staff/audit', '/staff/security']) {
      const response = await server.get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toMatch(/^\/staff\/sign-in\?next=/);
    }
  });
});

describe('the audit log', () => {
  it('pages 200 events at a time, newest first, keeping the filter', async () => {
    const admin = await signInAs(t, server, 'admin');
    const start = Date.now() - 300_000;
    await t.db.insert(auditEvents).values(
      Array.from({ length: 205 }, (_, i) => ({ action: 'account-enabled', accountId: admin.accountId, subject: `paged-${i}@example.org`, createdAt: new Date(start + i * 1000) })),
    );
    const first = await readHtml(await admin.get('/staff/audit?action=account-enabled'));
    const rows = first.querySelectorAll('tbody tr');
    expect(rows).toHaveLength(200);
    expect(textOf(rows[0])).toContain('paged-204@example.org');
    expect(textOf(rows[1])).toContain('paged-203@example.org');
    expect(first.querySelector('#action option[selected]')?.getAttribute('value')).toBe('account-enabled');
    const older = first.querySelector('a[rel="next"]')?.getAttribute('href');
    expect(older).toBe('/staff/audit?action=account-enabled&page=2');
    const second = await readHtml(await admin.get(older!));
    expect(second.querySelectorAll('tbody tr').length).toBeGreaterThanOrEqual(5);
    expect(textOf(second.querySelector('tbody'))).toContain('paged-0@example.org');
    expect(second.querySelector('a[rel="prev"]')?.getAttribute('href')).toBe('/staff/audit?action=account-enabled');
  });

  it('says so when the filter makes no sense', async () => {
    const admin = await signInAs(t, server, 'admin');
    const response = await admin.get('/staff/audit?action=nonsense&page=0');
    expect(response.status).toBe(400);
    expect(textOf((await readHtml(response)).querySelector('.govuk-error-summary'))).toContain('Choose an action from the list');
  });
});

describe('sign-in throttling', () => {
  it('blocks an account after 5 wrong passwords, even with the right one, and audits it', async () => {
    const admin = await signInAs(t, server, 'admin');
    const target = await createStaffAccount(t, 'editor');
    for (let i = 0; i < 5; i++) expect((await attemptSignIn(target.email, `wrong password ${i}`)).status).toBe(401);
    const blocked = await attemptSignIn(target.email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    const page = await readHtml(blocked);
    expect(textOf(page.querySelector('.govuk-error-summary'))).toContain('too many attempts to sign in. Wait 15 minutes');
    expect(blocked.headers.get('set-cookie') ?? '').not.toContain('csa_session=');

    const failed = await readHtml(await admin.get('/staff/audit?action=sign-in-failed'));
    expect(failed.querySelectorAll('tbody tr').filter((r) => textOf(r).includes(target.email))).toHaveLength(5);
    const throttled = await readHtml(await admin.get('/staff/audit?action=sign-in-throttled'));
    expect(throttled.querySelectorAll('tbody tr').filter((r) => textOf(r).includes(target.email))).toHaveLength(1);
  });

  it('blocks a client that tries many addresses after 20 attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await attemptSignIn(`nobody-${i}@example.org`, 'whatever password')).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('two-factor authentication', () => {
  it('is set up with a code from the app, then needed at every sign-in', async () => {
    const editor = await signInAs(t, server, 'editor');
    const key = await setUpTwoFactor(editor);
    // The session that proved the code carries on.
    expect((await editor.get('/staff')).status).toBe(200);
    const row = await findAccountRow(editor.accountId);
    // Stored encrypted (two-factor-keys.test.ts has the details), never as the key itself.
    expect(row.totpKey).toMatch(/^v1:/);
    expect(row.totpKey).not.toContain(encodeBase64(key));
    expect(await auditRows('two-factor-enabled', editor.email)).toHaveLength(1);

    const fresh = await signIn(server, editor.email);
    const gated = await fresh.get('/staff');
    expect(gated.status).toBe(303);
    expect(gated.headers.get('location')).toBe('/staff/sign-in/two-factor');
    expect((await fresh.get('/staff/security')).status).toBe(303);

    const code = await currentCode(key);
    const wrong = await fresh.post('/staff/sign-in/two-factor', { code: wrongCode(code) });
    expect(wrong.status).toBe(400);
    expect(textOf((await readHtml(wrong)).querySelector('.govuk-error-summary'))).toContain('The code is not right');
    expect((await fresh.get('/staff')).status).toBe(303);

    const right = await fresh.post('/staff/sign-in/two-factor', { code: await currentCode(key) });
    expect(right.status).toBe(303);
    expect((await fresh.get('/staff')).status).toBe(200);
  });

  it('refuses a wrong code when setting up, keeping the same key', async () => {
    const reporter = await signInAs(t, server, 'reporter');
    const page = await readHtml(await reporter.get('/staff/security?set-up=two-factor'));
    const keyText = page.querySelector('input[name="key"]')!.getAttribute('value')!;
    const code = await currentCode(decodeBase32IgnorePadding(keyText));
    const response = await reporter.post('/staff/security', { action: 'enable-two-factor', key: keyText, code: wrongCode(code) });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('The code is not right');
    expect(doc.querySelector('input[name="key"]')?.getAttribute('value')).toBe(keyText);
    expect((await findAccountRow(reporter.accountId)).totpKey).toBeNull();
  });

  it('can be turned off with a current code by an editor', async () => {
    const editor = await signInAs(t, server, 'editor');
    const key = await setUpTwoFactor(editor);
    const response = await editor.post('/staff/security', { action: 'disable-two-factor', 'disable-code': await currentCode(key) });
    expect(response.status).toBe(303);
    expect((await findAccountRow(editor.accountId)).totpKey).toBeNull();
    expect(await auditRows('two-factor-disabled', editor.email)).toHaveLength(1);
  });

  it('cannot be turned off by an admin once set', async () => {
    const admin = await signInAs(t, server, 'admin');
    const key = await setUpTwoFactor(admin);
    const page = await readHtml(await admin.get('/staff/security'));
    expect(page.querySelector('input[name="disable-code"]')).toBeNull();
    expect(textOf(page.querySelector('main'))).toContain('required for administrators once it is set up');

    const response = await admin.post('/staff/security', { action: 'disable-two-factor', 'disable-code': await currentCode(key) });
    expect(response.status).toBe(400);
    expect(textOf((await readHtml(response)).querySelector('.govuk-error-summary'))).toContain('Administrators cannot turn off two-factor authentication');
    expect((await findAccountRow(admin.accountId)).totpKey).not.toBeNull();
    expect(await auditRows('two-factor-disabled', admin.email)).toHaveLength(0);
  });
});

describe('changing your own password', () => {
  it('needs the current password and the new one twice', async () => {
    const reporter = await signInAs(t, server, 'reporter');
    const mismatch = await reporter.post('/staff/security', {
      action: 'change-password',
      'current-password': TEST_PASSWORD,
      'new-password': 'my new long password',
      'confirm-password': 'my new long passwort',
    });
    expect(mismatch.status).toBe(400);
    const doc = await readHtml(mismatch);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('The passwords do not match');
    expect(doc.querySelector('#new-password')?.getAttribute('value')).toBe('my new long password');

    const wrongCurrent = await reporter.post('/staff/security', {
      action: 'change-password',
      'current-password': 'not my password at all',
      'new-password': 'my new long password',
      'confirm-password': 'my new long password',
    });
    expect(wrongCurrent.status).toBe(400);
    expect(textOf((await readHtml(wrongCurrent)).querySelector('.govuk-error-summary'))).toContain('Your current password is not right');

    const changed = await reporter.post('/staff/security', {
      action: 'change-password',
      'current-password': TEST_PASSWORD,
      'new-password': 'my new long password',
      'confirm-password': 'my new long password',
    });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toBe('/staff/security?done=password-changed');
    expect((await reporter.get('/staff')).status).toBe(200);
    expect(await auditRows('password-changed', reporter.email)).toHaveLength(1);
    expect((await attemptSignIn(reporter.email, 'my new long password')).status).toBe(303);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax and scoped to /staff', async () => {
    const account = await createStaffAccount(t, 'editor');
    const cookie = (await attemptSignIn(account.email, TEST_PASSWORD)).headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/csa_session=[a-z2-7]{32}/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/staff(;|$)/);
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  it('is Secure when the site is served over HTTPS', async () => {
    // An https: site must have its two-factor encryption key (start-up refuses without one).
    const https = await startServer(t.url, { SITE_URL: 'https://alerts.example.org', TOTP_ENCRYPTION_KEY: 'ab'.repeat(32) });
    try {
      const account = await createStaffAccount(t, 'editor');
      const response = await attemptSignIn(account.email, TEST_PASSWORD, https);
      expect(response.status).toBe(303);
      expect(response.headers.get('set-cookie') ?? '').toMatch(/;\s*Secure/i);
    } finally {
      await https.stop();
    }
  });
});
