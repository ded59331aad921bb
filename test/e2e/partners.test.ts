// Partners' webhooks and staff emails in a real browser: an administrator adds a webhook from
// the staff navigation and copies its secret, a change is published, and the hook's delivery
// log shows the failed try and the success; an editor chooses their emails, and a mistake is
// shown in the error summary. axe-core finds no WCAG 2.2 A or AA problems on these pages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { places, services } from '../../db/schema/index.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, signInAs, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let receiver: Server;
let receiverUrl: string;
let tries = 0;

beforeAll(async () => {
  // The partner's endpoint: down for the first try, then fine.
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(++tries === 1 ? 500 : 200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/council-alerts`;
  db = await createTestDb({ seed: true });
  server = await startServer(db.url, { NOTIFY_RETRY_BASE_MS: '200', NOTIFY_POLL_MS: '100', NEIGHBOUR_POLL_MINUTES: '0' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  db?.cleanup();
});

/** A signed-in page of a new account with `role`. */
async function signedIn(role: 'admin' | 'editor', name: string): Promise<Page> {
  const email = (await createStaffAccount(db, role, name)).email;
  const page = await (await newLocalContext(browser, server.url, { bypassCSP: true })).newPage();
  await page.goto('/staff/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/staff`);
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  const violations = await runAxe(page);
  expect(violations, `axe found problems on ${page.url()}:\n${describeViolations(violations)}`).toEqual([]);
}

describe('an administrator', () => {
  test('adds a webhook, sees its secret once, and follows its deliveries in the log', async () => {
    const page = await signedIn('admin', 'Ada Admin');
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/staff\/webhooks$/);
    await expectAccessible(page);

    // A mistake first: the address is kept, and the error summary leads to it.
    await page.getByLabel('Who it is for').fill('Radio Kirklees newsroom');
    await page.getByLabel('Web address to send changes to').fill('http://radio.example/hook');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect.poll(() => page.title()).toMatch(/^Error: /);
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('starts with https://');
    await expectAccessible(page);

    await page.getByLabel('Web address to send changes to').fill(receiverUrl);
    await page.getByLabel('Schools').check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Webhook added: Radio Kirklees newsroom');
    expect(await page.locator('#webhook-secret').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await expectAccessible(page);

    // An editor closes a school.
    const editor = await signInAs(db, server, 'editor');
    const [schools] = await db.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
    const [school] = await db.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'unknown'))).orderBy(places.id).limit(1);
    const published = await editor.post(`/staff/places/${school!.id}`, {
      status: 'closed', note: 'Snow', 'status-from': '', 'status-until': '',
      name: school!.name, category: school!.category, address: school!.address, postcode: school!.postcode, ward: school!.ward,
      identifier: school!.identifier ?? '', latitude: school!.latitude === null ? '' : String(school!.latitude),
      longitude: school!.longitude === null ? '' : String(school!.longitude), summary: 'Closed', base: String(school!.currentRevisionId),
    });
    expect(published.status).toBe(303);
    await expect.poll(() => tries, { timeout: 15_000 }).toBe(2);

    await page.getByRole('link', { name: 'Go to the webhook and its delivery log' }).click();
    await page.waitForURL(/\/staff\/webhooks\/\d+$/);
    await expect.poll(() => page.locator('#delivery-log tbody tr').count()).toBe(2);
    const results = await page.locator('#delivery-log tbody tr [data-label="Result"]').allTextContents();
    expect(results.map((r) => r.trim())).toEqual(['Delivered', 'Tried again']);
    expect(await page.locator('#delivery-log').textContent()).toContain('HTTP 500');
    expect(await page.content()).not.toMatch(/[0-9a-f]{64}/);
    await expectAccessible(page);
  });
});

describe('an editor', () => {
  test('chooses their emails, and a mistake is shown in the error summary', async () => {
    const page = await signedIn('editor', 'Edna Editor');
    await page.getByRole('link', { name: 'Emails to me' }).click();
    await page.waitForURL(/\/staff\/notifications$/);
    await expectAccessible(page);
    await page.getByLabel('Email me when a suggestion has waited too long').check();
    await page.getByLabel('How many minutes is too long?').fill('2');
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await expect.poll(() => page.title()).toMatch(/^Error: /);
    await expectAccessible(page);
    await page.getByLabel('How many minutes is too long?').fill('20');
    await page.getByLabel('Email me when a neighbouring council publishes something in a service we have not covered').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Your choices have been saved');
    expect(await page.getByLabel('How many minutes is too long?').inputValue()).toBe('20');
    await expectAccessible(page);
  });
});
