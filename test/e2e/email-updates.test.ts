// A parent at 07:00 on a phone, JavaScript off, asks to be told about their child's school: they
// subscribe, confirm from the email (read from the real SMTP server the test runs), an editor
// closes the school, the email arrives with the status in its subject, and its "Stop all updates"
// link works — in a real browser.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { and, eq, isNull } from 'drizzle-orm';
import { places, services, subscribers } from '../../db/schema/index.ts';
import { launchBrowser, newLocalContext, runAxe, describeViolations } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtpServer, type TestSmtp } from '../helpers/smtp.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
let parent: BrowserContext;
let editor: BrowserContext;
let editorEmail: string;
let school: { id: number; name: string; slug: string };
const EMAIL = 'parent@example.net';

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  smtp = await startSmtpServer();
  server = await startServer(db.url, { SMTP_URL: smtp.url, MAIL_FROM: 'Kirklees Council <alerts@kirklees.example>', NOTIFY_POLL_MS: '200' });
  browser = await launchBrowser();
  editorEmail = (await createStaffAccount(db, 'editor', 'Eddie Editor')).email;
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  const [open] = await db.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'open'), isNull(places.statusUntil))).limit(1);
  school = { id: open!.id, name: open!.name, slug: open!.slug };
  parent = await newLocalContext(browser, server.url, { javaScriptEnabled: false, viewport: { width: 375, height: 812 } });
  editor = await newLocalContext(browser, server.url, { bypassCSP: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
  db?.cleanup();
});

describe('a parent asks to be told when the school closes', () => {
  test('subscribes and confirms without JavaScript, hears of the closure by email, and can stop it', async () => {
    const page = await parent.newPage();
    await page.goto(`/services/schools/${school.slug}`);
    await page.getByRole('link', { name: 'Get updates about this school' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Get updates about ${school.name}`);
    // A mistake first: the form says what is wrong and keeps the answer.
    await page.getByLabel('Email address').fill('parent@example');
    await page.getByRole('button', { name: 'Get updates' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter an email address in the correct format');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Get updates' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your email');

    const [confirmation] = await smtp.waitFor((m) => m.to.includes(EMAIL));
    await page.goto(confirmation!.links.find((l) => l.includes('/confirm'))!);
    await page.getByRole('button', { name: 'Confirm my updates' }).click();
    expect(await page.locator('h1').textContent()).toBe('Your updates');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Your updates have started.');
    expect(await page.locator('.govuk-summary-list').textContent()).toContain(school.name);

    // The editor closes the school (the bulk form, one school ticked).
    const staff = await editor.newPage();
    await staff.goto('/staff/sign-in');
    await staff.getByLabel('Email address').fill(editorEmail);
    await staff.getByLabel('Password').fill(TEST_PASSWORD);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.waitForURL(`${server.url}/staff`);
    await staff.goto('/staff/services/schools');
    await staff.locator(`#place-${school.id}`).check();
    await staff.getByLabel('New status').selectOption('closed');
    await staff.getByLabel('Note for the public (optional)').fill('Closed today because of snow.');
    await staff.getByLabel('Summary of your changes').fill('Snow closure');
    await staff.getByRole('button', { name: 'Review changes to the selected schools' }).first().click();
    await staff.getByRole('button', { name: /^Confirm: closed/ }).click();
    await staff.waitForLoadState();

    const [, update] = await smtp.waitFor((m) => m.to.includes(EMAIL), 2);
    expect(update!.subject).toBe(`${school.name}: Closed`);
    expect(update!.text).toContain('Closed today because of snow.');

    // "Stop all updates" from the email: a page with one button; the address is then deleted.
    // The pages a subscriber sees pass axe's WCAG 2.2 AA checks (axe needs JavaScript: another tab).
    const checker = await editor.newPage();
    for (const path of [`/subscribe?target=place:${school.id}`, new URL(update!.links.find((l) => /\/updates\/[^/]+$/.test(l))!).pathname]) {
      await checker.goto(path);
      expect(describeViolations(await runAxe(checker)), path).toBe('');
    }

    await page.goto(update!.links.find((l) => l.endsWith('/unsubscribe'))!);
    await page.getByRole('button', { name: 'Stop all updates' }).click();
    expect(await page.locator('h1').textContent()).toBe('Your updates have stopped');
    expect(await db.db.select().from(subscribers).where(eq(subscribers.email, EMAIL))).toHaveLength(0);
  });
});
