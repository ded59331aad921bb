// A local HTTP server on 127.0.0.1 serving neighbour feeds for the poller's tests: the demo's
// sample feeds (at /demo/neighbour-feeds/<file>, where the seeded sources point, with times
// filled in) and hostile ones — malformed XML, a 20 MB body, a server that never answers, a
// "billion laughs" document, a redirect loop, a compression bomb, a feed that changes between
// polls and one that answers 304 to its ETag — plus the small feeds of test/fixtures/feeds/ at
// /fixtures/<file>, and whatever a test puts in `state.documents` at that path.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fillTimePlaceholders } from '../../src/lib/neighbours/demo-content.ts';

export interface FeedFixtureServer {
  url: string;
  /** Which version of /changing.rss is served (1 or 2), and documents a test serves at a path of its choosing. */
  state: { changingVersion: number; documents: Map<string, { body: string | Uint8Array; contentType?: string }> };
  /** Every request seen, with the validators it sent. */
  requests: { path: string; ifNoneMatch: string | null; ifModifiedSince: string | null }[];
  close: () => Promise<void>;
}

const rfc822 = (date: Date) => date.toUTCString();

const rss = (items: { guid: string; title: string; date: Date; description?: string }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Fixture feed</title><link>https://example.org/</link>
${items
  .map((i) => `<item><title>${i.title}</title><guid isPermaLink="false">${i.guid}</guid><link>https://example.org/${i.guid}</link><pubDate>${rfc822(i.date)}</pubDate><description>${i.description ?? ''}</description></item>`)
  .join('\n')}
</channel></rss>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>x</guid></item></channel></rss>`;

const MALFORMED = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Broken feed</title>
<item><title>Schools closed</title><description>An unclosed <b>tag</description></item>
</channel>`;

/** Starts the fixture server on a free loopback port. */
export async function startFeedFixtures(contentDir = 'content'): Promise<FeedFixtureServer> {
  const state: FeedFixtureServer['state'] = { changingVersion: 1, documents: new Map() };
  const requests: FeedFixtureServer['requests'] = [];
  const hourAgo = () => new Date(Date.now() - 3_600_000);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    requests.push({ path, ifNoneMatch: req.headers['if-none-match'] ?? null, ifModifiedSince: req.headers['if-modified-since'] ?? null });
    const document = state.documents.get(path);
    if (document) {
      res.writeHead(200, { 'Content-Type': document.contentType ?? 'application/xml' }).end(document.body);
      return;
    }
    const small = /^\/fixtures\/([a-z0-9.-]+)$/.exec(path);
    if (small) {
      try {
        res.writeHead(200, { 'Content-Type': 'application/xml' }).end(await readFile(join('test', 'fixtures', 'feeds', small[1]!)));
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    const demo = /^\/demo\/neighbour-feeds\/([a-z0-9.-]+)$/.exec(path);
    if (demo) {
      try {
        const raw = await readFile(join(contentDir, 'neighbour-feeds', demo[1]!), 'utf8');
        // Served as text/plain on purpose: the parser must sniff, not trust the content type.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(fillTimePlaceholders(raw, new Date(), demo[1]!.endsWith('.rss') ? 'rfc822' : 'iso'));
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    switch (path) {
      case '/malformed.xml':
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(MALFORMED);
        return;
      case '/billion-laughs.xml':
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(BILLION_LAUGHS);
        return;
      case '/huge.xml': {
        // 20 MB, streamed without a Content-Length: the reader must stop by counting.
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const write = () => {
          while (sent < 20 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          res.end();
        };
        res.on('error', () => undefined);
        write();
        return;
      }
      case '/huge-declared.xml':
        // Says 20 MB up front: refused before reading anything.
        res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Length': String(20 * 1024 * 1024) });
        res.write('<rss>');
        return;
      case '/gzip-bomb.xml': {
        // 64 MB of spaces in about 64 KB: far past the 8 MB cap once unpacked.
        const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
        res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) }).end(bomb);
        return;
      }
      case '/never':
        // Never answers: the request must time out.
        return;
      case '/loop/a':
        res.writeHead(302, { Location: '/loop/b' }).end();
        return;
      case '/loop/b':
        res.writeHead(302, { Location: '/loop/a' }).end();
        return;
      case '/moved':
        res.writeHead(301, { Location: '/moved-again' }).end();
        return;
      case '/moved-again':
        res.writeHead(308, { Location: '/demo/neighbour-feeds/rochdale-school-closures.rss' }).end();
        return;
      case '/redirect-to-file':
        res.writeHead(302, { Location: 'file:///etc/passwd' }).end();
        return;
      case '/missing.rss':
        res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
        return;
      case '/broken-server.rss':
        res.writeHead(500).end();
        return;
      case '/web-page':
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end('<!DOCTYPE html><html><head><title>Our news</title></head><body></body></html>');
        return;
      case '/changing.rss': {
        const items =
          state.changingVersion === 1
            ? [
                { guid: 'a', title: 'Schools closed today', date: hourAgo() },
                { guid: 'b', title: 'Bins collected as normal', date: hourAgo() },
              ]
            : [
                { guid: 'a', title: 'Schools closed today and tomorrow', date: hourAgo() },
                { guid: 'b', title: 'Bins collected as normal', date: hourAgo() },
                { guid: 'c', title: 'Gritters out tonight', date: new Date() },
              ];
        // Dates fixed to the hour so that only the titles change between polls.
        const body = rss(items.map((i) => ({ ...i, date: new Date(Math.floor(i.date.getTime() / 3_600_000) * 3_600_000) })));
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(body);
        return;
      }
      case '/conditional.rss': {
        const etag = '"v1"';
        const lastModified = 'Sat, 21 Nov 2026 06:00:00 GMT';
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { ETag: etag }).end();
          return;
        }
        const body = rss([
          { guid: 'c1', title: 'Libraries closing early', date: new Date('2026-11-21T06:00:00Z') },
          { guid: 'c2', title: 'Leisure centres open', date: new Date('2026-11-21T06:00:00Z') },
        ]);
        res.writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: etag, 'Last-Modified': lastModified }).end(body);
        return;
      }
      default:
        res.writeHead(404).end();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
