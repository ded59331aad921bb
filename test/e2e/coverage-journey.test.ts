// "The neighbouring council has already closed its schools": in a real browser, an editor opens
// the coverage screen, sees Rochdale's school closure notice among the gaps, drafts an alert
// from it in one click, publishes it, and that item becomes covered — while Rochdale's other
// news stays a gap. An editor dismisses an item that needs nothing from us; residents see what
// neighbouring councils are saying on a service page when it is switched on, and not when off.
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { neighbourSources } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { pollAllSources, pollNeighbourSource } from '../../src/lib/neighbours/poll.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

const PLACEHOLDER_ORIGIN = 'http://coverage-journey.invalid';
const ROCHDALE_CLOSURE = 'All schools in Rochdale closed today';
const VOUCHERS = 'Free school meal vouchers during closures';
const RIPPONDEN = 'Ripponden J&I School – closed';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let page: Page;
let editorEmail: string;

beforeAll(async () => {
  db = await createTestDb();
  // Our own demo updates are three days old: today we have said nothing about schools.
  await seedDemoCouncil(db.db, { siteUrl: PLACEHOLDER_ORIGIN, now: new Date(Date.now() - 3 * 86_400_000) });
  server = await startServer(db.url, { NEIGHBOUR_POLL_MINUTES: '0', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' });
  // The demo neighbours' feeds are served by the site itself, with today's times.
  await db.db.update(neighbourSources).set({ url: sql`replace(${neighbourSources.url}, ${PLACEHOLDER_ORIGIN}, ${server.url})` });
  const options = { all: true, concurrency: 1, fetch: { allowPrivateAddresses: true, timeoutMs: 5_000 } };
  for (const failed of (await pollAllSources(db.db, options)).filter((r) => r.error)) {
    expect((await pollNeighbourSource(db.db, failed.source, options)).error).toBeNull();
  }
  editorEmail = (await createStaffAccount(db, 'editor', 'Eddie Editor')).email;
  browser = await launchBrowser();
  // bypassCSP only so axe-core can be injected for the accessibility checks.
  page = await (await newLocalContext(browser, server.url, { bypassCSP: true })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function signIn(): Promise<void> {
  await page.goto('/staff');
  await expect.poll(() => page.url()).toContain('/staff/sign-in');
  await page.getByLabel('Email address').fill(editorEmail);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/staff`);
}

let admin: Page | undefined;
/** An administrator's page, signed in once in a context of its own. */
async function adminPage(): Promise<Page> {
  if (admin) return admin;
  const adminEmail = (await createStaffAccount(db, 'admin', 'Ada Admin')).email;
  admin = await (await newLocalContext(browser, server.url, { bypassCSP: true })).newPage();
  await admin.goto('/staff/sign-in');
  await admin.getByLabel('Email address').fill(adminEmail);
  await admin.getByLabel('Password').fill(TEST_PASSWORD);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL(`${server.url}/staff`);
  return admin;
}

async function openCoverage(): Promise<void> {
  await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Coverage' }).click();
  await page.waitForURL(/\/staff\/coverage$/);
}

/** The entry of the gaps list, or of the items list, whose heading is `title`. */
const gap = (title: string) => page.locator('#gap-list > li').filter({ has: page.getByRole('heading', { name: new RegExp(`^(Urgent )?${title}$`) }) });
const item = (title: string) => page.locator('#item-list > li').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

describe('an editor closing a gap in our coverage', () => {
  test('sees Rochdale’s closure notice among the gaps, drafts an alert from it, publishes it, and it becomes covered', async () => {
    await signIn();
    await openCoverage();
    expect(await gap(ROCHDALE_CLOSURE).count()).toBe(1);
    expect(await gap(VOUCHERS).count()).toBe(1);
    expect(await gap(ROCHDALE_CLOSURE).textContent()).toContain('Rochdale Council');
    // The official warnings come first, each level in words as well as colour; axe checks them too.
    const amber = page.locator('#official-warning-list > li[data-issuer="met-office"]').filter({ hasText: 'Amber warning for snow' });
    expect((await amber.textContent())?.replace(/\s+/g, ' ')).toMatch(/Amber Amber warning for snow, Yorkshire & Humber, issued \d\d:\d\d(?: yesterday)? — nothing published by us/);
    expect(describeViolations(await runAxe(page))).toBe('');

    await gap(ROCHDALE_CLOSURE).getByRole('button', { name: /^Draft an alert from this/ }).click();
    await page.waitForURL(/\/staff\/alerts\/new\?/);
    expect(await page.getByLabel('Headline').inputValue()).toBe(ROCHDALE_CLOSURE);
    expect(await page.getByLabel('Warning').isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Schools' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Details (optional)').inputValue()).toMatch(/Source: Rochdale Council, https?:\/\//);

    await page.getByRole('button', { name: 'Preview the alert' }).click();
    await page.waitForLoadState();
    // The preview: the banner and the alert page as residents will see them, before anything is published.
    expect(await page.locator('h1').textContent()).toBe('Check the alert before you publish it');
    expect(await page.locator('#preview-banner').textContent()).toContain(ROCHDALE_CLOSURE);
    await page.getByRole('button', { name: 'Publish alert' }).click();
    await page.waitForURL(/\/staff\/alerts\?published=\d+/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Alert published: ${ROCHDALE_CLOSURE}`);

    await openCoverage();
    expect(await gap(ROCHDALE_CLOSURE).count()).toBe(0);
    // One schools notice covers what it says, not every neighbour's news about schools.
    expect(await gap(VOUCHERS).count()).toBe(1);
    const covered = item(ROCHDALE_CLOSURE).locator('[data-coverage-state]');
    expect((await covered.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(new RegExp(`^Covered by our alert ${ROCHDALE_CLOSURE}`));
    await covered.getByRole('link', { name: ROCHDALE_CLOSURE }).click();
    await page.waitForURL(/\/alerts\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain(ROCHDALE_CLOSURE);
    await page.goto('/staff/coverage');
    expect((await page.locator('#coverage-matrix tr[data-service="schools"] td[data-column="us"]').textContent())?.trim()).toMatch(/^1 item from/);
  });

  test('dismisses an item that needs nothing from us, with a reason, and it leaves the gaps', async () => {
    await openCoverage();
    await gap(RIPPONDEN).getByRole('link', { name: /^Dismiss or see why/ }).click();
    await page.waitForURL(/\/staff\/coverage\/items\/\d+$/);
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select why this needs nothing from us');
    await page.getByLabel('Not about our area').check();
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    await page.waitForURL(/\/staff\/coverage\?done=dismissed/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Dismissed: ${RIPPONDEN}`);
    expect(await gap(RIPPONDEN).count()).toBe(0);
    expect((await item(RIPPONDEN).locator('[data-coverage-state]').textContent())?.replace(/\s+/g, ' ')).toContain('Dismissed by Eddie Editor');
    expect(describeViolations(await runAxe(page))).toBe('');
  });

  test('the feed address page passes the accessibility checks', async () => {
    await page.goto('/staff/coverage/feed');
    await page.getByRole('button', { name: 'Make my private address' }).click();
    expect(await page.locator('#feed-address').textContent()).toMatch(/\/staff\/coverage\/gaps\.atom\?token=/);
    expect(describeViolations(await runAxe(page))).toBe('');
  });

  test('the neighbours screens pass the accessibility checks', async () => {
    const admin = await adminPage();
    await admin.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Neighbours' }).click();
    await admin.waitForURL(/\/staff\/neighbours$/);
    expect(describeViolations(await runAxe(admin))).toBe('');
    await admin.locator('tr[data-feed-id] th a').first().click();
    await admin.waitForURL(/\/staff\/neighbours\/\d+$/);
    expect(describeViolations(await runAxe(admin))).toBe('');
  });
});

describe('residents seeing what neighbouring councils are saying', () => {
  const section = (p: Page) => p.getByRole('heading', { name: 'What neighbouring councils are saying' });

  test('shows the section on a service page when it is switched on, passing the accessibility checks, and not when it is off', async () => {
    const resident = await (await newLocalContext(browser, server.url, { bypassCSP: true })).newPage();
    // The demo shows it for roads and gritting, not for schools.
    await resident.goto('/services/roads-and-gritting');
    expect(await section(resident).count()).toBe(1);
    expect(await resident.locator('#neighbours').textContent()).toContain('Oldham Council');
    expect(describeViolations(await runAxe(resident))).toBe('');
    await resident.goto('/services/schools');
    expect(await section(resident).count()).toBe(0);

    // An administrator switches it off.
    const admin = await adminPage();
    await admin.goto('/staff/neighbours#switches');
    await admin.getByRole('group', { name: /Which public pages/ }).getByLabel('Roads and gritting').uncheck();
    await admin.getByRole('button', { name: 'Save services’ settings' }).click();
    await admin.waitForURL(/done=switches/);
    await expect.poll(async () => {
      await resident.goto('/services/roads-and-gritting');
      return section(resident).count();
    }, { timeout: 5_000 }).toBe(0);
  });
});
