// Reader fidelity (issue 14): entries with an address but no words are kept; CAP updates and
// cancellations — even with no <info> — are read with what they replace; RSS without a
// channel, EDXL-DE and multi-alert CAP documents are read; plain-text fields stay text; control
// characters never get through; a huge feed is cut to its newest items. Each case on a small
// fixture in test/fixtures/feeds/ or inline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANCEL_WITHOUT_INFO_TITLE, capReferences } from '../../../src/lib/neighbours/parse-cap.ts';
import { ITEMS_MAX, parseFeed, type ParseFeedResult, type ParsedFeed } from '../../../src/lib/neighbours/parse.ts';
import { htmlToText } from '../../../src/lib/neighbours/text.ts';

const fixture = (name: string) => readFileSync(`test/fixtures/feeds/${name}`);

function ok(result: ParseFeedResult): ParsedFeed {
  if (!result.ok) throw new Error(`expected a feed, got: ${result.error}`);
  return result;
}

describe('entries with neither title nor summary', () => {
  it('are kept when they have an id or a link, titled from their text or as untitled', () => {
    const feed = ok(parseFeed(fixture('rss-untitled.rss'), { councilName: 'Fixture Council' }));
    expect(feed.items.map((i) => [i.key, i.title])).toEqual([
      ['no-words-1', 'Untitled item from Fixture Council'],
      ['https://fixture.gov.uk/news/only-a-link', 'Untitled item from Fixture Council'],
      ['content-only', 'Gritters are out on all priority routes tonight and again at 4am, with the A62 and the A629 first.'],
    ]);
  });

  it('leave out only the entry with nothing to show or identify it, and say so', () => {
    const feed = ok(parseFeed(fixture('rss-untitled.rss')));
    expect(feed.items).toHaveLength(3);
    expect(feed.items[0]!.title).toBe('Untitled item from a neighbouring council');
    expect(feed.notes).toEqual(['1 entry was left out: no title, text, link or id']);
  });

  it('keeps an untitled Atom entry and a JSON Feed item with only a url', () => {
    const atom = ok(parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>urn:x:1</id><updated>2026-11-21T07:00:00Z</updated></entry></feed>`, { councilName: 'Leeds City Council' }));
    expect(atom.items[0]).toMatchObject({ key: 'urn:x:1', title: 'Untitled item from Leeds City Council' });
    const json = ok(parseFeed(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'x', items: [{ url: 'https://leeds.gov.uk/n/1' }] })));
    expect(json.items[0]).toMatchObject({ key: 'https://leeds.gov.uk/n/1', link: 'https://leeds.gov.uk/n/1' });
  });
});

describe('CAP updates and cancellations', () => {
  it('reads a cancellation with no <info>: what it cancels, its note, and that it ends when sent', () => {
    const feed = ok(parseFeed(fixture('cap-cancel-no-info.xml')));
    expect(feed.items).toEqual([
      {
        key: 'urn:oid:2.49.0.1.826.1.fixture.0002',
        title: CANCEL_WITHOUT_INFO_TITLE,
        summary: 'The road has reopened.',
        link: null,
        publishedAt: new Date('2026-11-21T09:30:00Z'),
        cap: {
          identifier: 'urn:oid:2.49.0.1.826.1.fixture.0002',
          sent: new Date('2026-11-21T09:30:00Z'),
          expires: new Date('2026-11-21T09:30:00Z'),
          areaDesc: null,
          msgType: 'Cancel',
          references: ['urn:oid:2.49.0.1.826.1.fixture.0001'],
        },
      },
    ]);
  });

  it('reads an update with the alert it replaces', () => {
    const [item] = ok(parseFeed(fixture('cap-update.xml'))).items;
    expect(item).toMatchObject({ title: 'A62 at Standedge: one lane open', cap: { msgType: 'Update', references: ['urn:oid:2.49.0.1.826.1.fixture.0001'] } });
  });

  it('reads references as CAP writes them, and as sloppy senders do', () => {
    expect(capReferences('a@x,urn:1,2026-11-21T06:00:00+00:00  b@x,urn:2,2026-11-21T07:00:00+00:00')).toEqual(['urn:1', 'urn:2']);
    expect(capReferences(' urn:bare ')).toEqual(['urn:bare']);
    expect(capReferences('')).toEqual([]);
  });

  it('still leaves out acknowledgements and error messages', () => {
    const ack = fixture('cap-cancel-no-info.xml').toString().replace('<msgType>Cancel</msgType>', '<msgType>Ack</msgType>');
    expect(ok(parseFeed(ack)).items).toEqual([]);
  });
});

describe('documents that used to be refused', () => {
  it('reads RSS with no <channel>', () => {
    const feed = ok(parseFeed(fixture('rss-no-channel.rss')));
    expect(feed).toMatchObject({ format: 'rss', title: 'Fixture Council news' });
    expect(feed.items.map((i) => i.title)).toEqual(['Libraries open late', 'Tip closed']);
    expect(ok(parseFeed('<rss version="2.0"/>')).items).toEqual([]);
  });

  it('reads the CAP alerts of an EDXL-DE distribution, leaving out its test message', () => {
    const feed = ok(parseFeed(fixture('edxl-de.xml')));
    expect(feed).toMatchObject({ format: 'edxl-de', title: 'alerts@fixture.gov.uk' });
    expect(feed.items.map((i) => [i.key, i.title, i.cap?.areaDesc ?? null])).toEqual([
      ['urn:fixture:de:1', 'Flood warning for the River Colne', 'Slaithwaite'],
      ['urn:fixture:de:2', 'Snow on the Holme Moss road', null],
    ]);
  });

  it('reads an EDXL-DE 2.0 distribution (content / contentXML)', () => {
    const de2 = `<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0"><senderID>x</senderID><content><contentObject><contentXML><embeddedXMLContent>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>urn:de2:1</identifier><sent>2026-11-21T07:00:00Z</sent><status>Actual</status><msgType>Alert</msgType>
<info><headline>Gritting tonight</headline></info></alert></embeddedXMLContent></contentXML></contentObject></content></EDXLDistribution>`;
    expect(ok(parseFeed(de2)).items.map((i) => i.title)).toEqual(['Gritting tonight']);
  });

  it('reads several CAP alerts under one root element', () => {
    const feed = ok(parseFeed(fixture('cap-wrapper.xml')));
    expect(feed).toMatchObject({ format: 'cap', title: 'Fixture Council' });
    expect(feed.items.map((i) => i.key)).toEqual(['urn:fixture:multi:1', 'urn:fixture:multi:2']);
  });
});

describe('plain text stays text', () => {
  it('keeps angle brackets in CAP fields, which are plain text', () => {
    const [item] = ok(parseFeed(fixture('cap-alert-road.xml'))).items;
    expect(item).toMatchObject({
      title: '<A62> closed at Standedge',
      summary: 'The <A62> is closed in both directions & gritters are out. Use the <M62> instead.',
      cap: { areaDesc: 'Standedge <north>' },
    });
  });

  it('keeps angle brackets in JSON Feed titles and summaries, and in Atom type="text"', () => {
    const json = ok(parseFeed(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'x', items: [{ id: '1', title: '<A62> closed', summary: 'Use the <b> road' }] })));
    expect(json.items[0]).toMatchObject({ title: '<A62> closed', summary: 'Use the <b> road' });
    const atom = ok(parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>&lt;A62&gt; &lt;b&gt;shut&lt;/b&gt;</title></entry></feed>`));
    expect(atom.items[0]!.title).toBe('<A62> <b>shut</b>');
  });

  it('reduces only real HTML to text where a format allows HTML', () => {
    expect(htmlToText('<p>The <A62> is <strong>closed</strong><br>until 3pm</p>')).toBe('The <A62> is closed until 3pm');
    const rss = ok(parseFeed(`<rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>&lt;A62&gt; &lt;em&gt;closed&lt;/em&gt;</title></item></channel></rss>`));
    expect(rss.items[0]!.title).toBe('<A62> closed');
  });
});

describe('control characters', () => {
  // C0 except tab and line feed, C1, U+FFFE and U+FFFF: as raw characters and as references.
  const nasty = '\u0007Bell\u0000 \u001bE\u0085sc\u009b \ufffe\uffffend';
  it('are removed from RSS, raw or as character references', () => {
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>a\u0001b</title><item><guid>g\u0002</guid><title>Gritting&#x7; &#x85;tonight&#xFFFE;</title><description>${nasty}</description></item></channel></rss>`));
    expect(feed.title).toBe('ab');
    expect(feed.items[0]).toMatchObject({ key: 'g', title: 'Gritting tonight', summary: 'Bell Esc end' });
  });

  it('are removed from JSON Feed, where \\u escapes can carry them', () => {
    const json = `{"version":"https://jsonfeed.org/version/1.1","title":"Leeds\\u0007","items":[{"id":"1\\u0000","title":"Bins\\u0085 late\\uffff","content_text":"${nasty.replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"}]}`;
    const feed = ok(parseFeed(json));
    expect(feed.title).toBe('Leeds');
    expect(feed.items[0]).toMatchObject({ key: '1', title: 'Bins late', summary: 'Bell Esc end' });
  });

  it('are removed from CAP', () => {
    const cap = fixture('cap-alert-road.xml').toString().replace('closed at Standedge', 'closed\u0008 at&#x9B; Standedge');
    expect(ok(parseFeed(cap)).items[0]!.title).toBe('<A62> closed at Standedge');
  });
});

describe('the item limit', () => {
  it(`keeps the newest ${ITEMS_MAX} items of a bigger feed, in feed order, and says so`, () => {
    const base = Date.UTC(2026, 10, 21, 7);
    // 1,200 items in no particular date order: item i is i * 7 mod 1,200 minutes old.
    const items = Array.from({ length: 1_200 }, (_, i) => {
      const age = (i * 7) % 1_200;
      return `<item><guid>${i}</guid><title>Item ${i}</title><pubDate>${new Date(base - age * 60_000).toUTCString()}</pubDate></item>`;
    });
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>x</title>${items.join('')}</channel></rss>`));
    expect(feed.items).toHaveLength(ITEMS_MAX);
    const ages = feed.items.map((i) => (base - i.publishedAt!.getTime()) / 60_000);
    expect(Math.max(...ages)).toBe(ITEMS_MAX - 1);
    expect(feed.items.map((i) => Number(i.key))).toEqual([...feed.items.map((i) => Number(i.key))].sort((a, b) => a - b));
    expect(feed.notes).toEqual(['the feed has 1,200 items; only the newest 500 were read']);
  });
});
