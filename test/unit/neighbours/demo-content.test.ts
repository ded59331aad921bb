// The demo's neighbouring councils and sample feeds are data the product ships: they load,
// every feed parses with its times filled in, and the times are recent.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadDemoContent } from '../../../src/lib/content/demo.ts';
import { classifyItem } from '../../../src/lib/neighbours/classify.ts';
import { demoFeedUrl, fillTimePlaceholders, loadDemoFeed, loadDemoNeighbours, loadDemoSources } from '../../../src/lib/neighbours/demo-content.ts';
import { parseFeed } from '../../../src/lib/neighbours/parse.ts';

describe('the demo neighbours', () => {
  it('are Kirklees’s seven neighbouring councils, each with at least one feed', async () => {
    const neighbours = await loadDemoNeighbours();
    expect(neighbours.map((n) => n.slug)).toEqual(['calderdale', 'leeds', 'wakefield', 'bradford', 'barnsley', 'oldham', 'rochdale']);
    for (const council of neighbours) expect(council.feeds.length).toBeGreaterThan(0);
  });

  it('have sample feeds that parse, in every format, with recent items each classified or deliberately not', async () => {
    const now = new Date();
    const { services } = await loadDemoContent();
    const rules = services.map((s) => ({ serviceSlug: s.slug, phrases: s.keywords }));
    const formats = new Set<string>();
    for (const council of await loadDemoNeighbours()) {
      for (const feed of council.feeds) {
        const document = await loadDemoFeed(feed.file, now);
        expect(document.body, feed.file).not.toMatch(/\{\{/);
        const parsed = parseFeed(document.body, { url: demoFeedUrl('http://localhost:4321', feed.file) });
        expect(parsed.ok, feed.file).toBe(true);
        if (!parsed.ok) continue;
        formats.add(parsed.format);
        expect(parsed.items.length, feed.file).toBeGreaterThan(0);
        const dated = parsed.items.filter((i) => i.publishedAt);
        expect(dated.some((i) => now.getTime() - i.publishedAt!.getTime() < 24 * 3_600_000) || dated.length === 0, feed.file).toBe(true);
        expect(parsed.items.some((i) => classifyItem(i, rules) !== null), feed.file).toBe(true);
      }
    }
    expect([...formats].sort()).toEqual(['atom', 'json-feed', 'rdf', 'rss']);
  });

  it('include a CAP index whose entries link to CAP messages that parse', async () => {
    const index = parseFeed((await loadDemoFeed('oldham-alerts.atom', new Date())).body, { url: demoFeedUrl('http://localhost:4321', 'oldham-alerts.atom') });
    expect(index.ok).toBe(true);
    for (const item of index.ok ? index.items : []) {
      const file = item.capDocumentUrl!.split('/').pop()!;
      const message = parseFeed((await loadDemoFeed(file, new Date())).body);
      expect(message.ok && message.format).toBe('cap');
      expect(message.ok && message.items[0]!.cap?.identifier).toBe(item.key);
    }
  });

  it('refuse names that are not sample feeds', async () => {
    for (const name of ['../council.yaml', 'nope.rss', 'README.md', '.rss']) {
      await expect(loadDemoFeed(name, new Date())).rejects.toThrow(/No demo feed/);
    }
  });
});

describe('the demo’s national warning sources', () => {
  it('are listed in neighbours.yaml with their kinds, apart from the councils', async () => {
    const sources = await loadDemoSources();
    expect(sources.filter((s) => s.kind !== 'council').map((s) => [s.slug, s.kind])).toEqual([
      ['met-office', 'met-office-warnings'],
      ['gov-uk-emergency-alerts', 'gov-uk-alerts'],
    ]);
    expect((await loadDemoNeighbours()).every((n) => n.kind === 'council')).toBe(true);
  });

  it('have sample feeds read as their kind, with warnings in force today, for their region', async () => {
    const now = new Date();
    for (const source of (await loadDemoSources()).filter((s) => s.kind !== 'council')) {
      for (const feed of source.feeds) {
        const document = await loadDemoFeed(feed.file, now);
        expect(document.body, feed.file).not.toMatch(/\{\{/);
        const parsed = parseFeed(document.body, { url: demoFeedUrl('http://localhost:4321', feed.file) });
        expect(parsed.ok && parsed.kind, feed.file).toBe(source.kind);
        const items = parsed.ok ? parsed.items : [];
        expect(items.length, feed.file).toBeGreaterThan(0);
        for (const item of items) {
          expect(item.warning, item.title).toBeDefined();
          if (feed.region) expect(item.warning!.region).toBe(feed.region);
          expect(item.warning!.validTo === null || item.warning!.validTo > now, item.title).toBe(true);
          expect(now.getTime() - item.publishedAt!.getTime()).toBeLessThan(24 * 3_600_000);
        }
      }
    }
  });
});

describe('fillTimePlaceholders', () => {
  it('writes the national feeds’ own formats, in London time', () => {
    expect(fillTimePlaceholders('{{now|met-office}} [{{now-1h|gov-uk}}] {{now|date}}', new Date('2026-11-21T07:00:00Z'), 'rfc822')).toBe('0700 Sat 21 Nov [2026-11-21 06:00 GMT] 2026-11-21');
    expect(fillTimePlaceholders('{{now|met-office}} [{{now|gov-uk}}]', new Date('2026-07-21T07:00:00Z'), 'iso')).toBe('0800 Tue 21 Jul [2026-07-21 08:00 BST]');
  });

  const anchor = new Date('2026-11-21T07:00:00Z');
  it('fills offsets in the format the file needs', () => {
    expect(fillTimePlaceholders('<pubDate>{{now-2h}}</pubDate>', anchor, 'rfc822')).toBe('<pubDate>Sat, 21 Nov 2026 05:00:00 GMT</pubDate>');
    expect(fillTimePlaceholders('{{now}} {{ now+30m }} {{now-1d}}', anchor, 'iso')).toBe('2026-11-21T07:00:00+00:00 2026-11-21T07:30:00+00:00 2026-11-20T07:00:00+00:00');
    expect(fillTimePlaceholders('{{end-of-day}}', anchor, 'iso')).toBe('2026-11-21T23:59:00+00:00');
    expect(fillTimePlaceholders('{{now-2h|iso}}', anchor, 'rfc822')).toBe('2026-11-21T05:00:00+00:00');
  });

  it('leaves anything else alone', () => {
    expect(fillTimePlaceholders('{{site}} {now-2h} {{now-2x}}', anchor, 'iso')).toBe('{{site}} {now-2h} {{now-2x}}');
  });

  it('has placeholders in every sample feed, so the demo is always today', async () => {
    for (const council of await loadDemoSources()) {
      for (const feed of council.feeds) expect(await readFile(`content/neighbour-feeds/${feed.file}`, 'utf8'), feed.file).toMatch(/\{\{now/);
    }
  });
});
