// "The library on King St is closed, the sign's on the door": a resident with JavaScript off
// suggests it, an editor approves it with an edited note, and the public page, the feeds and
// the resident's tracking page all follow — in a real browser.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { places, services } from '../../db/schema/index.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let resident: BrowserContext;
let editor: BrowserContext;
let editorEmail: string;
let library: { id: number; name: string; slug: string };

const RESIDENT_NOTE = 'Sign on the door says closed, burst pipe <script>alert(1)</script>';
const EDITED_NOTE = 'Closed today because of a burst pipe. We expect to open again tomorrow.';

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  // The resident takes a moment anyway; no need to wait the real minimum fill time here.
  server = await startServer(db.url, { SUGGESTION_MIN_FILL_SECONDS: '0' });
  browser = await launchBrowser();
  editorEmail = (await createStaffAccount(db, 'editor', 'Rita Reviewer')).email;
  const [libraries] = await db.db.select().from(services).where(eq(services.slug, 'libraries'));
  const [open] = await db.db.select().from(places).where(and(eq(places.serviceId, libraries!.id), eq(places.status, 'open'))).limit(1);
  library = { id: open!.id, name: open!.name, slug: open!.slug };
  resident = await newLocalContext(browser, server.url, { javaScriptEnabled: false });
  editor = await newLocalContext(browser, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

describe('a resident tells us a library is closed', () => {
  test('suggests it without JavaScript, an editor approves it with changes, and everyone sees the result', async () => {
    // The resident, JavaScript off.
    const page = await resident.newPage();
    await page.goto(`/services/libraries/${library.slug}`);
    await page.getByRole('link', { name: 'Suggest an update' }).click();
    await page.getByLabel('Closed', { exact: true }).check();
    await page.getByLabel('More details (optional)').fill(RESIDENT_NOTE);
    await page.getByLabel('How do you know?').fill('I walked past this morning and saw the sign on the door');
    await page.getByRole('button', { name: 'Send suggestion' }).click();
    await page.waitForURL(/\/suggestions\/[a-z2-7]{32}/);
    const tracking = page.url().split('?')[0]!;
    expect(await page.locator('main').textContent()).toContain('Waiting to be checked');
    expect(await page.locator('main script').count()).toBe(0);
    expect(await (await fetch(`${server.url}/services/libraries/${library.slug}`)).text()).not.toContain('burst pipe');

    // The editor reviews it.
    const review = await editor.newPage();
    await review.goto('/staff/sign-in');
    await review.getByLabel('Email address').fill(editorEmail);
    await review.getByLabel('Password').fill(TEST_PASSWORD);
    await review.getByRole('button', { name: 'Sign in' }).click();
    await review.waitForURL(`${server.url}/staff`);
    await review.goto('/staff/review');
    await review.getByRole('link', { name: `Review the suggestion about ${library.name}` }).click();
    expect(await review.locator('main script').count()).toBe(0);
    await review.getByText('Edit, then approve').click();
    await review.getByLabel('Note for the public (optional)').fill(EDITED_NOTE);
    await review.getByRole('button', { name: 'Approve with these changes' }).click();
    await review.waitForURL(/\/staff\/review(\?|$)/);

    // The public page and the feeds follow on the next request.
    const publicPage = await (await fetch(`${server.url}/services/libraries/${library.slug}`)).text();
    expect(publicPage).toContain(EDITED_NOTE);
    expect(publicPage).not.toContain('<script>alert(1)</script>');
    expect(/govuk-tag[^>]*>Closed</.test(publicPage)).toBe(true);
    const rss = await (await fetch(`${server.url}/feeds/libraries.rss`)).text();
    expect(rss.split('<item>')[1]).toContain(`${library.name}: Closed`);
    const atom = await (await fetch(`${server.url}/feeds/changes.atom`)).text();
    expect(atom.split('<entry>')[1]).toContain('a resident');

    // The resident's tracking page says what happened.
    await page.goto(tracking);
    expect(await page.locator('main').textContent()).toContain('Approved with changes');
  });
});
