// Not a test: saves screenshots of the public site, loaded with the demo council, for the README
// and for reviewing design changes. Run with `npx tsx test/e2e/screenshots.ts` (Node 24).
// Seeds a temporary database, starts the real built server, drives real headless Chromium,
// writes src/public/screenshots/{home,schools,school,schools-mobile,school-mobile}.png, then stops everything.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { loadDemoContent, resolveOffset } from '../../src/lib/content/demo.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import buildOnce from '../helpers/global-setup.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MAX_HEIGHT = 1600;

interface Shot {
  file: string;
  path: string;
  width: number;
}

async function main(): Promise<void> {
  process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
  const outDir = join('src', 'public', 'screenshots');

  const content = await loadDemoContent();
  const now = new Date();
  const closed = content.scenario.places.find(
    (p) => p.service === 'schools' && p.status === 'closed' && (!p.until || resolveOffset(p.until, now) > now),
  );
  if (!closed) throw new Error('The demo scenario has no closed school');

  const shots: Shot[] = [
    { file: 'home.png', path: '/', width: 1000 },
    { file: 'schools.png', path: '/services/schools', width: 1000 },
    { file: 'school.png', path: `/services/schools/${closed.place}`, width: 1000 },
    { file: 'schools-mobile.png', path: '/services/schools', width: 375 },
    { file: 'school-mobile.png', path: `/services/schools/${closed.place}`, width: 320 },
    { file: 'subscribe-mobile.png', path: '/subscribe?target=service:schools', width: 375 },
  ];

  buildOnce();
  mkdirSync(outDir, { recursive: true });

  let db: TestDb | undefined;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  try {
    db = await createTestDb({ seed: true });
    server = await startServer(db.url);
    browser = await launchBrowser();
    for (const shot of shots) {
      const context = await newLocalContext(browser, server.url, { viewport: { width: shot.width, height: 800 } });
      try {
        const page = await context.newPage();
        const response = await page.goto(shot.path);
        if (!response?.ok()) throw new Error(`${shot.path} answered ${response?.status()}`);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        const file = join(outDir, shot.file);
        await page.screenshot({
          path: file,
          fullPage: true,
          clip: { x: 0, y: 0, width: shot.width, height: Math.min(height, MAX_HEIGHT) },
        });
        console.log(`Saved ${file} (${shot.path} at ${shot.width} px)`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser?.close();
    await server?.stop();
    db?.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
