// The "Get updates on this device" button (src/components/PushSubscribe.astro), rendered by
// Astro's container API: its HTML, and how it behaves in real Chromium on a small demo page
// served at the real built server's address (so the page's own script, /sw.js and the security
// headers are the real ones). Hidden without JavaScript; shown where web push can work; a clear
// message, read out by screen readers, when the browser does not allow it.
import { experimental_AstroContainer as AstroContainer } from 'astro/container';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import webPush from 'web-push';
import { subscribers } from '../../db/schema/index.ts';
import PushSubscribe from '../../src/components/PushSubscribe.astro';
import { securityHeaders } from '../../src/lib/http/security-headers.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const vapid = webPush.generateVAPIDKeys();

async function render(props: { target: string; publicKey: string | null }): Promise<string> {
  const container = await AstroContainer.create();
  return container.renderToString(PushSubscribe, { props });
}

describe('its HTML', () => {
  it('is a hidden block with the button, a status line screen readers announce, and the script', async () => {
    const doc = parseHtml(await render({ target: 'service:3:Almondbury', publicKey: vapid.publicKey }));
    const block = doc.querySelector('[data-push-subscribe]');
    expect(block?.hasAttribute('hidden')).toBe(true);
    expect(block?.getAttribute('data-target')).toBe('service:3:Almondbury');
    expect(block?.getAttribute('data-public-key')).toBe(vapid.publicKey);
    const button = block?.querySelector('button[data-push-button]');
    expect(button?.getAttribute('type')).toBe('button');
    expect(button?.classList.contains('govuk-button')).toBe(true);
    expect(button?.textContent.trim()).toBe('Get updates on this device');
    expect(block?.querySelector('[data-push-status]')?.getAttribute('aria-live')).toBe('polite');
    expect(doc.querySelector('script')?.getAttribute('src')).toBe('/scripts/push-subscribe.js');
  });

  it('is nothing at all when web push is not set up (no public key)', async () => {
    expect((await render({ target: 'place:12', publicKey: null })).trim()).toBe('');
  });
});

describe('in Chromium', () => {
  let t: TestDb;
  let server: TestServer;
  let browser: Browser;
  let demo: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    server = await startServer(t.url, { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, NOTIFY_WORKER: 'false' });
    browser = await launchBrowser();
    const block = await render({ target: 'severe_alerts', publicKey: vapid.publicKey });
    demo = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo</title></head><body><main><p id="before">Before</p>${block}<p id="after">After</p></main></body></html>`;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    t?.cleanup();
  });

  /** The demo page at the server's own address, with the site's real security headers. */
  async function open(options: { javaScriptEnabled: boolean }): Promise<Page> {
    const context = await newLocalContext(browser, server.url, options);
    contexts.push(context);
    await context.route(`${server.url}/push-demo`, (route) =>
      route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', ...Object.fromEntries(securityHeaders(server.url)) }, body: demo }),
    );
    const page = await context.newPage();
    await page.goto('/push-demo');
    return page;
  }

  it('stays hidden, taking no room, with JavaScript off', async () => {
    const page = await open({ javaScriptEnabled: false });
    expect(await page.locator('[data-push-subscribe]').count()).toBe(1);
    expect(await page.locator('[data-push-subscribe]').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Get updates on this device' }).count()).toBe(0);
    const gap = await page.evaluate(() => document.getElementById('after')!.getBoundingClientRect().top - document.getElementById('before')!.getBoundingClientRect().bottom);
    expect(gap).toBeLessThan(40); // two paragraphs' margins, nothing between them
  });

  it('shows the button where web push can work, registers the service worker for the whole site, and says clearly when the browser does not allow messages', async () => {
    const page = await open({ javaScriptEnabled: true });
    const button = page.getByRole('button', { name: 'Get updates on this device' });
    await button.waitFor({ state: 'visible' });
    await button.click();
    const status = page.locator('[data-push-status]');
    // Headless Chromium turns down the permission request: no subscription, a plain message.
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('Your browser did not allow messages from this site. You can change this in your browser settings, or get updates by email.');
    expect(await button.isEnabled()).toBe(true);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope ?? null);
    expect(scope).toBe(`${server.url}/`);
    expect(await t.db.select().from(subscribers)).toEqual([]);
  });
});
