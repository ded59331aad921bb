// Issue 16 in a real browser: an administrator uploads a GIAS establishment export, reads the
// dry run (new, changed field by field, closed in GIAS), applies it, and follows the link to the
// change set; the public schools page then lists the imported schools with their wards. The
// upload form's error summary, the dry run and the result page pass axe.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/import/gias-kirklees.csv', import.meta.url));

let db: TestDb;
let server: TestServer;
let browser: Browser;
let adminEmail: string;

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
  adminEmail = (await createStaffAccount(db, 'admin', 'Ada Admin')).email;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

describe('importing schools from GIAS', () => {
  test('an admin uploads the file, reads the dry run and applies it; the public page lists the new schools with their wards', async () => {
    const context = await newLocalContext(browser, server.url, { bypassCSP: true });
    const page = await context.newPage();
    await page.goto('/staff/sign-in');
    await page.getByLabel('Email address').fill(adminEmail);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/staff`);

    // From the settings page to the upload form.
    await page.goto('/staff/settings');
    await page.getByRole('link', { name: 'Import places' }).click();
    await page.waitForURL(`${server.url}/staff/import`);

    // Forgetting the code: the error summary says so, and what was chosen is kept.
    await page.getByLabel('File').setInputFiles(FIXTURE);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter your local authority code');
    expect(describeViolations(await runAxe(page))).toBe('');
    expect(await page.getByLabel('Schools from Get Information about Schools (GIAS)').isChecked()).toBe(true);

    await page.getByLabel('Local authority code (GIAS only)').fill('382');
    await page.getByLabel('File').setInputFiles(FIXTURE);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.waitForURL(/\/staff\/import\/[A-Za-z0-9_-]{24}$/);

    // The dry run.
    expect(await page.locator('h1').textContent()).toBe('Check the import of schools');
    expect(await page.locator('#count-new').textContent()).toBe('2');
    expect(await page.locator('#count-changed').textContent()).toBe('1');
    expect(await page.locator('#count-withdrawn').textContent()).toBe('1');
    const newPlaces = await page.locator('#new-places tbody tr').allTextContents();
    expect(newPlaces.join('\n')).toContain('St Mary’s Catholic Primary School');
    expect(newPlaces.join('\n')).toContain('Café Lane Nursery School');
    const changed = await page.locator('#changed-places').textContent();
    expect(changed).toContain('Ashbrow School and Nursery');
    expect(changed).toContain('01484 226000');
    expect(await page.locator('#withdrawn-places').textContent()).toContain('Woodhouse Primary Academy');
    expect(describeViolations(await runAxe(page))).toBe('');

    await page.getByRole('button', { name: 'Apply: 2 new, 1 changed, 1 withdrawn' }).click();
    await page.waitForURL(/\?applied$/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('The import has been published');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.locator('#change-set-link').click();
    await page.waitForURL(/\/staff\/changes\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe('Imported schools from GIAS: 2 new, 1 changed, 1 withdrawn');

    // The public schools page, filtered to each new school's ward, lists it.
    for (const [ward, name] of [['Newsome', 'St Mary’s Catholic Primary School'], ['Ashbrow', 'Café Lane Nursery School']] as const) {
      await page.goto(`/services/schools?ward=${encodeURIComponent(ward)}`);
      const rows = await page.locator('tbody tr').allTextContents();
      const row = rows.find((r) => r.includes(name));
      expect(row, `${name} on the ${ward} list`).toBeDefined();
      expect(row).toContain(ward);
    }
    await page.goto('/services/schools');
    expect(await page.locator('main').textContent()).not.toContain('Woodhouse Primary Academy');
    await context.close();
  });
});
