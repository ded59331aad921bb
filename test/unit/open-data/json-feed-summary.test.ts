// Our JSON Feed's `summary` is what the item says, in plain text — not the edit summary — so a
// neighbouring council reading our feed classifies our items as well as from our Atom feed.
import { describe, expect, it } from 'vitest';
import { buildJsonFeed, plainSummary } from '../../../src/lib/open-data/feeds.ts';
import type { ApiChange } from '../../../src/lib/open-data/serialize.ts';

describe('the JSON Feed summary', () => {
  it('is the plain text of the content, with entities read and tags dropped', () => {
    expect(plainSummary('<p>Closed today: the <strong>A62</strong> &amp; B6107 are blocked.</p>\n<p>Back at 2pm.</p>')).toBe(
      'Closed today: the A62 & B6107 are blocked. Back at 2pm.',
    );
  });

  it('is cut at a word, with an ellipsis, when the content is long', () => {
    const summary = plainSummary(`<p>${'snow '.repeat(100)}</p>`, 50);
    expect(summary.length).toBeLessThanOrEqual(51);
    expect(summary.endsWith('snow…')).toBe(true);
  });

  it('carries the content, not the edit summary, in each item', () => {
    const change: ApiChange = {
      cursor: '7', kind: 'place', id: 3, title: 'Colne Valley High School: Closed', status: 'closed', reason: null, expectedReopeningAt: null,
      summary: 'Published', author: 'Kirklees Council', publishedAt: '2026-12-01T07:00:00.000Z', url: 'https://example.org/x',
      contentHtml: '<p>Closed today because of snow and ice.</p>',
    };
    const feed = JSON.parse(buildJsonFeed({ title: 't', description: 'd', pageUrl: 'https://example.org/', feedUrl: 'https://example.org/f.json', author: 'a', updated: new Date() }, [change])) as { items: { summary?: string }[] };
    expect(feed.items[0]!.summary).toBe('Closed today because of snow and ice.');
  });
});
