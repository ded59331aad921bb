// Parsing off the request path: the worker gives parseFeed's very result, the calling thread
// keeps turning while a 20,000-item feed is read, and a feed that takes too long ends its
// worker without ending the next feed's read.
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../../src/lib/neighbours/parse.ts';
import { findParseWorkerFile, parseFeedOffThread, stopFeedParser } from '../../../src/lib/neighbours/parse-off-thread.ts';

afterAll(() => stopFeedParser());

function bigFeed(items: number): Uint8Array {
  const base = Date.UTC(2026, 10, 21, 7);
  const parts: string[] = [];
  for (let i = 0; i < items; i++) {
    parts.push(`<item><title>Service update ${i}: bins in ward ${i % 23} collected late</title><link>https://fixture.example/news/${i}</link><guid isPermaLink="false">item-${i}</guid><pubDate>${new Date(base - i * 60_000).toUTCString()}</pubDate><description>Crews are catching up after the snow. Collections in ward ${i % 23} will be a day late.</description></item>`);
  }
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title>${parts.join('\n')}</channel></rss>`);
}

describe('parseFeedOffThread', () => {
  it('finds the worker’s source file', () => {
    expect(findParseWorkerFile()).toMatch(/src\/lib\/neighbours\/parse-worker\.ts$/);
  });

  it('gives the same result as parsing here', async () => {
    const body = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>Bins</title><pubDate>Sat, 21 Nov 2026 07:00:00 GMT</pubDate></item></channel></rss>');
    const here = parseFeed(body, { url: 'https://x.example/' });
    expect(await parseFeedOffThread(body, { url: 'https://x.example/' })).toEqual(here);
    // The bytes were handed over to the worker, not copied.
    expect(body.byteLength).toBe(0);
    expect(await parseFeedOffThread('not a feed')).toEqual({ ok: false, error: 'the address does not give a feed (it is neither XML nor JSON)' });
  });

  it('leaves this thread free while a 20,000-item feed is read', async () => {
    const body = bigFeed(20_000);
    const megabytes = (body.length / 1_048_576).toFixed(1);
    await parseFeedOffThread('<rss/>'); // the worker started
    // How busy this thread's event loop is while the worker reads: a share of the time, which
    // other processes taking the CPU do not inflate (an idle loop that waits is still idle).
    const before = performance.eventLoopUtilization();
    const started = performance.now();
    const result = await parseFeedOffThread(body);
    const took = performance.now() - started;
    const busy = performance.eventLoopUtilization(before).utilization;
    expect(result.ok && result.items.length).toBe(500);
    expect(result.ok && result.notes).toEqual(['the feed has 20,000 items; only the newest 500 were read']);
    console.log(`20,000 items (${megabytes} MB) parsed off-thread in ${Math.round(took)} ms; this thread was busy ${Math.round(busy * 100)}% of that time`);
    // Parsed on this thread it would be busy all along (100%).
    expect(busy).toBeLessThan(0.25);
  });

  it('ends a read that takes too long, and reads the next feed with a new worker', async () => {
    const slow = await parseFeedOffThread(bigFeed(20_000), {}, 20);
    expect(slow).toEqual({ ok: false, error: 'the feed took too long to read (more than 20 ms)' });
    const next = await parseFeedOffThread('<rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>After</title></item></channel></rss>');
    expect(next.ok && next.items[0]!.title).toBe('After');
  });
});
