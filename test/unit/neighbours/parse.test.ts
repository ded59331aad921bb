// Reading feeds as real councils publish them: every format we accept, and the mess around it
// (odd dates, HTML in titles, missing guids, legacy encodings, hostile documents).
import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../../src/lib/neighbours/dates.ts';
import { decodeFeedBytes, parseFeed, type ParseFeedResult, type ParsedFeed } from '../../../src/lib/neighbours/parse.ts';

function ok(result: ParseFeedResult): ParsedFeed {
  if (!result.ok) throw new Error(`expected a feed, got: ${result.error}`);
  return result;
}

describe('RSS', () => {
  it('reads RSS 0.91, whose items have no guid or date: the link is the key', () => {
    const feed = ok(parseFeed(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Barnsley &amp; district</title><link>https://www.barnsley.gov.uk</link>
<item><title>Gritting tonight</title><link>https://www.barnsley.gov.uk/gritting</link><description>All routes&eacute; treated</description></item>
</channel></rss>`));
    expect(feed).toMatchObject({ format: 'rss', title: 'Barnsley & district' });
    expect(feed.items).toEqual([
      { key: 'https://www.barnsley.gov.uk/gritting', title: 'Gritting tonight', summary: 'All routesé treated', link: 'https://www.barnsley.gov.uk/gritting', publishedAt: null },
    ]);
  });

  it('reads RSS 1.0 (RDF) with items beside the channel, rdf:about as the key and dc:date', () => {
    const feed = ok(parseFeed(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.wakefield.gov.uk/news"><title>Wakefield news</title><link>https://www.wakefield.gov.uk/news</link>
    <items><rdf:Seq><rdf:li rdf:resource="https://www.wakefield.gov.uk/news/bins"/></rdf:Seq></items></channel>
  <item rdf:about="https://www.wakefield.gov.uk/news/bins"><title>Bins running late</title><link>https://www.wakefield.gov.uk/news/bins?a=1&amp;b=2</link>
    <description>Up to two days late.</description><dc:date>2026-11-21T07:15:00+00:00</dc:date></item>
</rdf:RDF>`));
    expect(feed).toMatchObject({ format: 'rdf', title: 'Wakefield news' });
    expect(feed.items[0]).toEqual({
      key: 'https://www.wakefield.gov.uk/news/bins',
      title: 'Bins running late',
      summary: 'Up to two days late.',
      link: 'https://www.wakefield.gov.uk/news/bins?a=1&b=2',
      publishedAt: new Date('2026-11-21T07:15:00Z'),
    });
  });

  it('reads RSS 2.0 with guid, pubDate, CDATA HTML descriptions and an atom:link beside the link', () => {
    const feed = ok(parseFeed(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Rochdale</title>
<atom:link href="https://www.rochdale.gov.uk/rss" rel="self"/>
<item><title>All schools in Rochdale closed today</title><link>https://www.rochdale.gov.uk/news/2001</link>
<atom:link href="https://www.rochdale.gov.uk/other" rel="related"/>
<guid isPermaLink="false">rochdale-news-2001</guid><pubDate>Sat, 21 Nov 2026 06:30:00 GMT</pubDate>
<description><![CDATA[<p>Because of snow, <strong>all schools</strong> are closed.</p><script>alert(1)</script><p>Check back at 3pm.</p>]]></description></item>
</channel></rss>`));
    expect(feed.items[0]).toEqual({
      key: 'rochdale-news-2001',
      title: 'All schools in Rochdale closed today',
      summary: 'Because of snow, all schools are closed. Check back at 3pm.',
      link: 'https://www.rochdale.gov.uk/news/2001',
      publishedAt: new Date('2026-11-21T06:30:00Z'),
    });
  });

  it('uses a permalink guid as the link when there is no <link>', () => {
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>x</title><item><title>Libraries open</title><guid>https://example.org/libraries</guid></item></channel></rss>`));
    expect(feed.items[0]).toMatchObject({ key: 'https://example.org/libraries', link: 'https://example.org/libraries' });
  });

  it('falls back to a stable hash of title and date when an item has neither guid nor link', () => {
    const xml = `<rss version="2.0"><channel><title>x</title><item><title>Tip closed</title><pubDate>Sat, 21 Nov 2026 06:30:00 GMT</pubDate></item><item><title>Tip open</title></item></channel></rss>`;
    const first = ok(parseFeed(xml));
    const second = ok(parseFeed(xml));
    expect(first.items[0]!.key).toMatch(/^sha256:[0-9a-f]{40}$/);
    expect(first.items.map((i) => i.key)).toEqual(second.items.map((i) => i.key));
    expect(first.items[0]!.key).not.toBe(first.items[1]!.key);
  });

  it('strips HTML from titles, escaped or not, and decodes entities once', () => {
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>x</title>
<item><title>&lt;b&gt;Closed:&lt;/b&gt; Holme &amp;amp; Hade Edge schools</title><guid>1</guid></item>
<item><title><![CDATA[<em>Gritting</em> &ndash; tonight]]></title><guid>2</guid></item>
<item><title>Pupils &amp; parents: 5 &lt; 6</title><guid>3</guid></item>
</channel></rss>`));
    expect(feed.items.map((i) => i.title)).toEqual(['Closed: Holme & Hade Edge schools', 'Gritting – tonight', 'Pupils & parents: 5 < 6']);
  });

  it('keeps only http(s) links, resolved against the feed address', () => {
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>x</title>
<item><title>a</title><link>javascript:alert(1)</link><guid>a</guid></item>
<item><title>b</title><link>/news/b</link><guid>b</guid></item></channel></rss>`, { url: 'https://www.example.gov.uk/feeds/news.rss' }));
    expect(feed.items.map((i) => i.link)).toEqual([null, 'https://www.example.gov.uk/news/b']);
  });

  it('tolerates a bare ampersand, the commonest flaw of hand-made feeds', () => {
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>Roads & gritting</title><item><title>Bins & recycling</title><guid>1</guid></item></channel></rss>`));
    expect(feed.title).toBe('Roads & gritting');
    expect(feed.items[0]!.title).toBe('Bins & recycling');
  });

  it('caps the summary at 1,000 characters and drops repeated items', () => {
    const long = 'word '.repeat(400);
    const feed = ok(parseFeed(`<rss version="2.0"><channel><title>x</title>
<item><title>a</title><guid>same</guid><description>${long}</description></item>
<item><title>b</title><guid>same</guid></item></channel></rss>`));
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.summary.length).toBeLessThanOrEqual(1_000);
    expect(feed.items[0]!.summary.endsWith('…')).toBe(true);
  });
});

describe('Atom', () => {
  it('reads entries: id, alternate link (relative to xml:base), published or updated, summary or content', () => {
    const feed = ok(parseFeed(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.bradford.gov.uk/">
  <title type="html">Bradford &amp;ndash; updates</title><id>urn:x</id><updated>2026-11-21T07:00:00Z</updated>
  <entry><title type="html">&lt;b&gt;School closures:&lt;/b&gt; 60 schools</title><id>urn:bradford:1</id>
    <link rel="self" href="https://example.org/self"/><link href="updates/schools"/>
    <updated>2026-11-21T06:45:00Z</updated><published>2026-11-21T06:40:00+00:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>More than <b>60</b> schools are closed.</p></div></content></entry>
  <entry><title type="text">Grit bins &lt;refilled&gt;</title><id>urn:bradford:2</id><link rel="alternate" type="text/html" href="https://www.bradford.gov.uk/grit"/>
    <updated>2026-11-20T12:00:00Z</updated><summary>1,200 bins.</summary></entry>
</feed>`));
    expect(feed).toMatchObject({ format: 'atom', title: 'Bradford – updates' });
    expect(feed.items).toEqual([
      {
        key: 'urn:bradford:1', title: 'School closures: 60 schools', summary: 'More than 60 schools are closed.',
        link: 'https://www.bradford.gov.uk/updates/schools', publishedAt: new Date('2026-11-21T06:40:00Z'),
      },
      {
        key: 'urn:bradford:2', title: 'Grit bins <refilled>', summary: '1,200 bins.',
        link: 'https://www.bradford.gov.uk/grit', publishedAt: new Date('2026-11-20T12:00:00Z'),
      },
    ]);
  });
});

describe('JSON Feed', () => {
  it('reads JSON Feed 1.1 and 1.0, whatever content type it came with', () => {
    for (const version of ['https://jsonfeed.org/version/1.1', 'https://jsonfeed.org/version/1']) {
      const feed = ok(parseFeed(new TextEncoder().encode(JSON.stringify({
        version, title: 'Leeds news',
        items: [
          { id: 56012, url: 'https://news.leeds.gov.uk/gritting', title: 'Gritting routes tonight', summary: 'All 25 gritters.', date_published: '2026-11-21T17:00:00Z' },
          { id: 'no-title', content_html: '<p>Bins <b>delayed</b> in north Leeds</p>', date_modified: '2026-11-21T08:00:00+00:00' },
        ],
      })), { contentType: 'text/plain' }));
      expect(feed).toMatchObject({ format: 'json-feed', title: 'Leeds news' });
      expect(feed.items[0]).toEqual({ key: '56012', title: 'Gritting routes tonight', summary: 'All 25 gritters.', link: 'https://news.leeds.gov.uk/gritting', publishedAt: new Date('2026-11-21T17:00:00Z') });
      expect(feed.items[1]).toMatchObject({ key: 'no-title', title: 'Bins delayed in north Leeds', link: null });
    }
  });

  it('refuses JSON that is not a JSON Feed', () => {
    expect(parseFeed('{"hello": "world"}')).toEqual({ ok: false, error: 'the address gives JSON, but not a JSON Feed' });
    expect(parseFeed('{"version": ')).toEqual({ ok: false, error: 'the feed is not valid JSON' });
  });
});

const CAP = (identifier: string, status = 'Actual', msgType = 'Alert') => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier><sender>ep@oldham.gov.uk</sender><sent>2026-11-21T04:00:00-00:00</sent>
  <status>${status}</status><msgType>${msgType}</msgType><scope>Public</scope>
  <info><language>cy</language><event>Eira trwm</event><headline>Eira trwm</headline></info>
  <info><language>en-GB</language><category>Met</category><event>Heavy snow</event><urgency>Immediate</urgency><severity>Severe</severity>
    <certainty>Observed</certainty><expires>2026-11-21T23:59:00+00:00</expires><senderName>Oldham Council</senderName>
    <headline>Heavy snow across Oldham</headline><description>Up to 20 cm of snow.</description><instruction>Only travel if you must.</instruction>
    <web>https://www.oldham.gov.uk/alerts/snow</web>
    <area><areaDesc>Saddleworth</areaDesc></area><area><areaDesc>Shaw and Crompton</areaDesc></area></info>
</alert>`;

describe('CAP 1.2', () => {
  it('reads a CAP alert: identifier, sent, expires, headline, description and areas (English info block)', () => {
    const feed = ok(parseFeed(CAP('urn:oid:2.49.0.1.826.1.oldham.0412')));
    expect(feed).toMatchObject({ format: 'cap', title: 'Oldham Council' });
    expect(feed.items).toEqual([
      {
        key: 'urn:oid:2.49.0.1.826.1.oldham.0412',
        title: 'Heavy snow across Oldham',
        summary: 'Up to 20 cm of snow. Only travel if you must.',
        link: 'https://www.oldham.gov.uk/alerts/snow',
        publishedAt: new Date('2026-11-21T04:00:00Z'),
        cap: {
          identifier: 'urn:oid:2.49.0.1.826.1.oldham.0412',
          sent: new Date('2026-11-21T04:00:00Z'),
          expires: new Date('2026-11-21T23:59:00Z'),
          areaDesc: 'Saddleworth; Shaw and Crompton',
          msgType: 'Alert',
          references: [],
        },
      },
    ]);
  });

  it('leaves out test and exercise messages, and marks cancellations', () => {
    expect(ok(parseFeed(CAP('t1', 'Test'))).items).toEqual([]);
    expect(ok(parseFeed(CAP('c1', 'Actual', 'Cancel'))).items[0]!.title).toBe('Cancelled: Heavy snow across Oldham');
  });

  it('reads an Atom index with CAP fields inline (cap:event, cap:expires, cap:areaDesc)', () => {
    const feed = ok(parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
<title>Alerts</title><entry><id>urn:alert:7</id><title>Flood warning for the Calder</title><updated>2026-11-21T05:00:00Z</updated>
<link href="https://example.org/alerts/7"/><summary>River levels rising.</summary>
<cap:event>Flood warning</cap:event><cap:effective>2026-11-21T05:00:00Z</cap:effective><cap:expires>2026-11-22T05:00:00Z</cap:expires>
<cap:areaDesc>Sowerby Bridge</cap:areaDesc></entry></feed>`));
    expect(feed.items[0]).toMatchObject({
      key: 'urn:alert:7', title: 'Flood warning for the Calder', link: 'https://example.org/alerts/7',
      cap: { identifier: 'urn:alert:7', sent: new Date('2026-11-21T05:00:00Z'), expires: new Date('2026-11-22T05:00:00Z'), areaDesc: 'Sowerby Bridge' },
    });
  });

  it('reads an Atom index whose entries embed the CAP alert', () => {
    const feed = ok(parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
<entry><id>urn:entry:1</id><title>ignored</title><updated>2026-11-21T04:00:00Z</updated><content type="text/xml">${CAP('urn:embedded:1').replace(/<\?xml[^>]*\?>/, '')}</content></entry></feed>`));
    expect(feed.items[0]).toMatchObject({ key: 'urn:entry:1', title: 'Heavy snow across Oldham', cap: { identifier: 'urn:embedded:1', areaDesc: 'Saddleworth; Shaw and Crompton' } });
  });

  it('notes where the CAP message is for index entries that only link to it', () => {
    const feed = ok(parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
<entry><id>urn:x:1</id><title>Road closed</title><updated>2026-11-21T04:00:00Z</updated>
<link rel="alternate" type="application/cap+xml" href="alert-1.xml"/></entry></feed>`, { url: 'https://www.oldham.gov.uk/alerts/index.atom' }));
    expect(feed.items[0]).toMatchObject({ key: 'urn:x:1', capDocumentUrl: 'https://www.oldham.gov.uk/alerts/alert-1.xml' });
    expect(feed.items[0]!.cap).toBeUndefined();
  });

  it('reads an RSS index of CAP alerts with cap: elements', () => {
    const feed = ok(parseFeed(`<rss version="2.0" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><channel><title>CAP</title>
<item><title>Ice warning</title><guid>urn:ice:1</guid><pubDate>Sat, 21 Nov 2026 05:00:00 +0000</pubDate>
<cap:identifier>urn:ice:1</cap:identifier><cap:sent>2026-11-21T05:00:00+00:00</cap:sent><cap:expires>2026-11-21T12:00:00+00:00</cap:expires><cap:areaDesc>Kirklees</cap:areaDesc></item>
</channel></rss>`));
    expect(feed.items[0]!.cap).toEqual({
      identifier: 'urn:ice:1', sent: new Date('2026-11-21T05:00:00Z'), expires: new Date('2026-11-21T12:00:00Z'), areaDesc: 'Kirklees', msgType: 'Alert', references: [],
    });
  });
});

describe('dates as feeds write them', () => {
  const cases: [string, string | null][] = [
    ['Sat, 21 Nov 2026 07:00:00 GMT', '2026-11-21T07:00:00.000Z'],
    ['Sat, 21 Nov 2026 07:00:00 +0000', '2026-11-21T07:00:00.000Z'],
    ['21 Nov 2026 07:00 GMT', '2026-11-21T07:00:00.000Z'],
    ['Saturday, 21 November 2026 07:00:00 +00:00', '2026-11-21T07:00:00.000Z'],
    ['Sat, 21 Nov 26 07:00:00 GMT', '2026-11-21T07:00:00.000Z'],
    ['sat, 21 nov 2026 07:00:00 gmt', '2026-11-21T07:00:00.000Z'],
    ['Tue, 21 Jul 2026 08:00:00 BST', '2026-07-21T07:00:00.000Z'],
    ['Sat, 21 Nov 2026 02:00:00 EST', '2026-11-21T07:00:00.000Z'],
    ['Sat, 21 Nov 2026 7:00 am GMT', '2026-11-21T07:00:00.000Z'],
    ['Sat, 21 Nov 2026 07:00:00 GMT (GMT Standard Time)', '2026-11-21T07:00:00.000Z'],
    ['Nov 21, 2026 07:00:00 GMT', '2026-11-21T07:00:00.000Z'],
    ['2026-11-21T07:00:00Z', '2026-11-21T07:00:00.000Z'],
    ['2026-11-21T07:00:00.123+01:00', '2026-11-21T06:00:00.000Z'],
    ['2026-11-21 07:00:00', '2026-11-21T07:00:00.000Z'], // no zone: London time (GMT in November)
    ['2026-07-21T08:00:00', '2026-07-21T07:00:00.000Z'], // no zone: London time (BST in July)
    ['Tue, 21 Jul 2026 08:00:00', '2026-07-21T07:00:00.000Z'],
    ['2026-11-21', '2026-11-21T00:00:00.000Z'],
    ['20261121T070000Z', '2026-11-21T07:00:00.000Z'],
    ['yesterday', null],
    ['31 Feb 2026 07:00 GMT', null],
    ['', null],
  ];
  for (const [text, expected] of cases) {
    it(`reads "${text}"`, () => {
      expect(parseFeedDate(text)?.toISOString() ?? null).toBe(expected);
    });
  }
});

describe('encodings', () => {
  it('decodes the bytes with the encoding the XML prolog declares (ISO-8859-1)', () => {
    // One byte per character: "é" is 0xE9 and "£" is 0xA3, which are not valid UTF-8.
    const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const bytes = latin1('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Café</title><item><title>Fees £5</title><guid>1</guid></item></channel></rss>');
    expect(bytes).toContain(0xe9);
    const feed = ok(parseFeed(bytes, { contentType: 'application/rss+xml; charset=utf-8' }));
    expect(feed.title).toBe('Café');
    expect(feed.items[0]!.title).toBe('Fees £5');
  });

  it('reads windows-1252 punctuation', () => {
    const text = '<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>x</title><item><title>Q';
    const bytes = new Uint8Array([...new TextEncoder().encode(text), 0x93, 0x41, 0x94, 0x20, 0x80, ...new TextEncoder().encode('</title><guid>1</guid></item></channel></rss>')]);
    expect(ok(parseFeed(bytes)).items[0]!.title).toBe('Q“A” €');
  });

  it('honours a UTF-8 byte-order mark and falls back to UTF-8 for an unknown label', () => {
    expect(decodeFeedBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x3e]))).toBe('<a>');
    expect(decodeFeedBytes(new TextEncoder().encode('<?xml version="1.0" encoding="x-klingon"?><a>£</a>'))).toContain('£');
  });
});

describe('what is not a feed', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed XML', '<rss><channel><title>x</channel></rss>', /not well-formed XML \(a mistake on line 1\)/],
    ['a billion-laughs document', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>', /declares its own XML entities/],
    ['a web page', '<!DOCTYPE html><html><body>Hello</body></html>', /web page, not a feed/],
    ['XHTML', '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', /web page, not a feed/],
    ['some other XML', '<?xml version="1.0"?><kml><Document/></kml>', /not a feed we can read \(its main element is <kml>\)/],
    ['plain text', 'Service updates are on our website', /neither XML nor JSON/],
    ['nothing', '   ', /the feed is empty/],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what} in plain words`, () => {
      const result = parseFeed(body);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatch(message);
    });
  }
});
