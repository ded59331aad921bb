// "The neighbouring council has already closed its schools": in a real browser, an editor opens
// the coverage screen, sees that schools are a gap, drafts an alert from Rochdale's school
// closure notice in one click, publishes it, and the gap closes.
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

async function openCoverage(): Promise<void> {
  await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Coverage' }).click();
  await page.waitForURL(/\/staff\/coverage$/);
}

const schoolsGap = () => page.locator('#gap-list li[data-service="schools"]');

describe('an editor closing a gap in our coverage', () => {
  test('sees schools as a gap, drafts an alert from Rochdale’s closure notice, publishes it, and the gap closes', async () => {
    await signIn();
    await openCoverage();
    expect(await schoolsGap().count()).toBe(1);
    const gap = await schoolsGap().textContent();
    expect(gap).toContain('Rochdale Council');
    expect(gap).toContain('Calderdale Council');
    expect(describeViolations(await runAxe(page))).toBe('');

    const item = page.locator('#item-list > li', { hasText: ROCHDALE_CLOSURE });
    await item.getByRole('button', { name: /^Draft an alert from this/ }).click();
    await page.waitForURL(/\/staff\/alerts\/new\?/);
    expect(await page.getByLabel('Headline').inputValue()).toBe(ROCHDALE_CLOSURE);
    expect(await page.getByLabel('Warning').isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Schools' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Details (optional)').inputValue()).toMatch(/Source: Rochdale Council, https?:\/\//);

    await page.getByRole('button', { name: 'Publish alert' }).click();
    await page.waitForURL(/\/staff\/alerts\?published=\d+/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Alert published: ${ROCHDALE_CLOSURE}`);

    await openCoverage();
    expect(await schoolsGap().count()).toBe(0);
    expect((await page.locator('#coverage-matrix tr[data-service="schools"] td[data-column="us"]').textContent())?.trim()).toMatch(/^1 item from/);
  });

  test('the neighbours screens pass the accessibility checks', async () => {
    // An administrator's view: sign in again in a fresh context as an admin.
    const adminEmail = (await createStaffAccount(db, 'admin', 'Ada Admin')).email;
    const admin = await (await newLocalContext(browser, server.url, { bypassCSP: true })).newPage();
    await admin.goto('/staff/sign-in');
    await admin.getByLabel('Email address').fill(adminEmail);
    await admin.getByLabel('Password').fill(TEST_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(`${server.url}/staff`);
    await admin.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Neighbours' }).click();
    await admin.waitForURL(/\/staff\/neighbours$/);
    expect(describeViolations(await runAxe(admin))).toBe('');
    await admin.locator('tr[data-feed-id] th a').first().click();
    await admin.waitForURL(/\/staff\/neighbours\/\d+$/);
    expect(describeViolations(await runAxe(admin))).toBe('');
  });
});
