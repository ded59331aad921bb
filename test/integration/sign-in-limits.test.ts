// Sign-in limits under attack, against the real built server over HTTP: simultaneous wrong
// passwords get no more password checks than the limit, and an attack cannot keep the owner out
// (README: "Sessions the Lucia way"). Requests come from different client addresses by binding
// the client side of the connection to 127.0.0.x (all of 127/8 is loopback on Linux); the server
// sees the real socket address — it trusts no forwarding header.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, formBody, signInAs, TEST_PASSWORD } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0', LOG_REQUESTS: 'off' });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

interface Answer {
  status: number;
  setCookies: string[];
  retryAfter: string | undefined;
  body: string;
  ms: number;
}

/** A sign-in form post as a browser at `from` sends it (its own connection), optionally with cookies. */
function attemptSignIn(email: string, password: string, from: string, cookie?: string): Promise<Answer> {
  const body = formBody({ email, password }).toString();
  const url = new URL(server.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/staff/sign-in',
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: {
          Origin: server.url,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          ...(cookie ? { Cookie: cookie } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            setCookies: res.headers['set-cookie'] ?? [],
            retryAfter: res.headers['retry-after'],
            body: text,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `name=value` of a cookie the answer set, for sending back. */
function cookieFrom(answer: Answer, name: string): string {
  const found = answer.setCookies.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in ${answer.status} answer`);
  return found.split(';')[0]!;
}

/** Signs the owner in once from `from`, as on an ordinary morning; returns their known-device cookie. */
async function knownDeviceOf(email: string, from: string): Promise<string> {
  const answer = await attemptSignIn(email, TEST_PASSWORD, from);
  expect(answer.status).toBe(303);
  return cookieFrom(answer, 'csa_device');
}

async function auditRows(action: string, subject: string) {
  return t.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.subject, subject)));
}

const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

describe('simultaneous wrong passwords', () => {
  it('get at most 5 password checks for an account from one address; the other 35 are refused with 429 at once', async () => {
    const victim = await createStaffAccount(t, 'editor');
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attemptSignIn(victim.email, `wrong password ${i}`, '127.0.0.2')));
    const elapsed = performance.now() - started;

    expect(count(answers, 401)).toBe(5);
    expect(count(answers, 429)).toBe(35);
    // Every password check leaves exactly one "sign-in failed" (written after the hash); a
    // refused attempt leaves "sign-in throttled" and is answered without hashing.
    expect(await auditRows('sign-in-failed', victim.email)).toHaveLength(5);
    const throttled = await auditRows('sign-in-throttled', victim.email);
    expect(throttled).toHaveLength(35);
    expect(throttled.every((row) => (row.detail as { limit?: string }).limit === 'account-and-address')).toBe(true);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.every((a) => Number(a.retryAfter) > 800 && Number(a.retryAfter) <= 900)).toBe(true);
    expect(refused.every((a) => a.setCookies.every((c) => !c.startsWith('csa_session=')))).toBe(true);
    const slowestRefusal = Math.max(...refused.map((a) => a.ms));
    const checked = answers.filter((a) => a.status === 401);
    console.log(
      `40 simultaneous wrong passwords: ${checked.length} password checks (401), ${refused.length} × 429 (slowest ${Math.round(slowestRefusal)} ms); ` +
        `all answered in ${Math.round(elapsed)} ms; the 5 checks answered after ${checked.map((a) => Math.round(a.ms)).sort((a, b) => a - b).join(', ')} ms`,
    );
    // The fourth and fifth checks from one address are made to wait 1 s and 2 s first.
    expect(Math.max(...checked.map((a) => a.ms))).toBeGreaterThanOrEqual(2000);
  });

  it('for an email that has no account are counted and answered the same way', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attemptSignIn('nobody-here@example.org', `guess ${i}`, '127.0.0.6')));
    expect(count(answers, 401)).toBe(5);
    expect(count(answers, 429)).toBe(35);
    expect(await auditRows('sign-in-failed', 'nobody-here@example.org')).toHaveLength(5);
  });
});

describe('an attack on an account', () => {
  it('does not keep the owner out: from another address, or with their known device at the attacked address', async () => {
    const owner = await createStaffAccount(t, 'editor');
    const device = await knownDeviceOf(owner.email, '127.0.0.4');

    const attack = Promise.all(Array.from({ length: 40 }, (_, i) => attemptSignIn(owner.email, `wrong ${i}`, '127.0.0.3')));
    // While the attack is going on…
    const elsewhere = await attemptSignIn(owner.email, TEST_PASSWORD, '127.0.0.5');
    const answers = await attack;
    expect(count(answers, 401)).toBe(5);
    expect(elsewhere.status).toBe(303);
    expect(cookieFrom(elsewhere, 'csa_session')).toMatch(/^csa_session=[a-z2-7]{32}$/);

    // Sharing the attacker's address (the same office network): without the device cookie the
    // right password is refused too — that pair is throttled, nothing else is…
    const sameAddress = await attemptSignIn(owner.email, TEST_PASSWORD, '127.0.0.3');
    expect(sameAddress.status).toBe(429);
    // …but the owner's usual browser is let in.
    const withDevice = await attemptSignIn(owner.email, TEST_PASSWORD, '127.0.0.3', device);
    expect(withDevice.status).toBe(303);
    const [signIn] = (await auditRows('sign-in', owner.email)).slice(-1);
    expect(signIn!.detail).toMatchObject({ device: 'known' });
  });

  it('from many addresses slows new devices but never locks out a known device, and the audit log shows it', async () => {
    const owner = await createStaffAccount(t, 'editor');
    const device = await knownDeviceOf(owner.email, '127.0.0.20');
    const addresses = Array.from({ length: 11 }, (_, i) => `127.0.0.${30 + i}`);
    // 11 addresses × 6 simultaneous wrong passwords: 5 checks each (55), 1 refused each.
    const started = performance.now();
    const answers = await Promise.all(addresses.flatMap((from) => Array.from({ length: 6 }, (_, i) => attemptSignIn(owner.email, `wrong ${from} ${i}`, from))));
    const attackMs = performance.now() - started;
    expect(count(answers, 401)).toBe(55);
    expect(count(answers, 429)).toBe(11);

    // The attack goes on from a new address while the owner signs in (4 more failures: the
    // account stays below 60, where the wait would double).
    const stillAttacking = Promise.all(Array.from({ length: 4 }, (_, i) => attemptSignIn(owner.email, `more ${i}`, '127.0.0.45')));
    const known = await attemptSignIn(owner.email, TEST_PASSWORD, '127.0.0.50', device);
    const fresh = await attemptSignIn(owner.email, TEST_PASSWORD, '127.0.0.51');
    const later = await stillAttacking;
    expect(known.status).toBe(303);
    expect(fresh.status).toBe(303);
    // Past 50 failures from new devices, a new device waits (1 s here) — slowed, not locked out.
    expect(fresh.ms).toBeGreaterThanOrEqual(1000);
    expect(count(later, 401)).toBe(4);
    console.log(
      `11 addresses × 6 simultaneous wrong passwords: ${count(answers, 401)} checks, ${count(answers, 429)} × 429 in ${Math.round(attackMs)} ms; ` +
        `then the known device signed in in ${Math.round(known.ms)} ms, a new device in ${Math.round(fresh.ms)} ms`,
    );

    const signIns = await auditRows('sign-in', owner.email);
    expect(signIns.at(-2)!.detail).toMatchObject({ device: 'known' });
    expect(signIns.at(-2)!.detail).not.toHaveProperty('delayedMs');
    expect(signIns.at(-1)!.detail).toMatchObject({ device: 'new', delayedMs: 1000 });
    expect(await auditRows('sign-in-slowed', owner.email)).toHaveLength(1);

    // What an administrator reads at /staff/audit.
    const admin = await signInAs(t, server, 'admin');
    const slowed = await readHtml(await admin.get('/staff/audit?action=sign-in-slowed'));
    const slowedRow = slowed.querySelectorAll('tbody tr').find((r) => textOf(r).includes(owner.email));
    expect(textOf(slowedRow!)).toContain('50 failed attempts from new devices in 15 minutes');
    const signedIn = await readHtml(await admin.get('/staff/audit?action=sign-in'));
    const rows = signedIn.querySelectorAll('tbody tr').filter((r) => textOf(r).includes(owner.email)).map(textOf);
    expect(rows[0]).toContain('Made to wait 1 s before the password check');
    expect(rows[1]).toContain('From a known device');
    const throttled = await readHtml(await admin.get('/staff/audit?action=sign-in-throttled'));
    expect(throttled.querySelectorAll('tbody tr').filter((r) => textOf(r).includes(owner.email))).toHaveLength(11);
    expect(textOf(throttled.querySelector('tbody'))).toContain('5 failed attempts for this account from this address in 15 minutes. Password not checked');
  });
});

describe('the known-device cookie', () => {
  it('is set at sign-in: HttpOnly, SameSite=Lax, scoped to /staff, kept for a year', async () => {
    const account = await createStaffAccount(t, 'reporter');
    const answer = await attemptSignIn(account.email, TEST_PASSWORD, '127.0.0.7');
    const cookie = answer.setCookies.find((c) => c.startsWith('csa_device='))!;
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/staff(;|$)/);
    const expires = new Date(/;\s*Expires=([^;]+)/i.exec(cookie)![1]!).getTime();
    expect(expires - Date.now()).toBeGreaterThan(360 * 86_400_000);
  });

  it('of one account does not spare another account', async () => {
    const first = await createStaffAccount(t, 'editor');
    const second = await createStaffAccount(t, 'editor');
    const device = await knownDeviceOf(first.email, '127.0.0.8');
    for (let i = 0; i < 5; i++) expect((await attemptSignIn(second.email, `wrong ${i}`, '127.0.0.9', device)).status).toBe(401);
    expect((await attemptSignIn(second.email, TEST_PASSWORD, '127.0.0.9', device)).status).toBe(429);
  });
});
