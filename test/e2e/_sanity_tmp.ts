import { launchBrowser, newLocalContext, runAxe, describeViolations } from '../helpers/browser.ts';
import { createTestDb } from '../helpers/db.ts';
import { startServer } from '../helpers/server.ts';
const db = await createTestDb({ seed: true });
const server = await startServer(db.url);
const browser = await launchBrowser();
try {
  const ctx = await newLocalContext(browser, server.url, { bypassCSP: true });
  const paths = ['/services/roads-and-gritting', '/services/waste-and-recycling', '/services/libraries', '/services/schools?status=bogus&q=x', '/services/schools?q=zzzz', '/pages/bad-weather-advice', '/pages/about', '/pages/privacy-notice', '/pages/how-updates-are-checked', '/services/roads-and-gritting/a635-greenfield-road-over-saddleworth-moor', '/services/schools/taylor-hill-primary-school', '/alerts/1', '/alerts/4', '/alerts/5'];
  for (const p of paths) {
    const page = await ctx.newPage();
    const r = await page.goto(p);
    const v = await runAxe(page);
    await page.setViewportSize({ width: 320, height: 640 });
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    console.log(p, r?.status(), 'sw320=', sw, v.length ? describeViolations(v) : 'axe ok');
    await page.close();
  }
  // skip link
  const page = await ctx.newPage(); await page.goto('/services/schools');
  await page.keyboard.press('Tab'); await page.keyboard.press('Enter'); await page.keyboard.press('Tab');
  console.log('after skip:', await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120)));
  // 400% zoom equivalent: 1280/4 = 320 already. Text spacing? skip.
  // focus visibility of alert link
  await page.goto('/'); for (let i=0;i<6;i++) await page.keyboard.press('Tab');
  console.log('6th tab:', await page.evaluate(() => { const e = document.activeElement as HTMLElement; const s = getComputedStyle(e); return e.outerHTML.slice(0,100) + ' bg=' + s.backgroundColor + ' outline=' + s.outlineStyle + ' ' + s.boxShadow; }));
} finally { await browser.close(); await server.stop(); db.cleanup(); }
