// Serves the built site: the front server (page cache) in front of Astro's Node handler.
// `npm start` runs this after building; tests and the benchmark run it directly.
//   PORT (4321), HOST (localhost), PAGE_CACHE (on|off, default on),
//   CACHE_CHECK_MS (how often to look for other processes' publishes, default 250)
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { createFrontHandler, type NodeHandler } from '../lib/http/front-server.ts';

process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const entry = (await import(pathToFileURL(resolve('dist/server/entry.mjs')).href)) as { handler: NodeHandler };

const port = Number(process.env.PORT || 4321);
const host = process.env.HOST || 'localhost';
const checkIntervalMs = Number(process.env.CACHE_CHECK_MS ?? 250);
if (!Number.isFinite(checkIntervalMs) || checkIntervalMs < 0) throw new Error('CACHE_CHECK_MS must be a number of milliseconds');

const server = createServer(
  createFrontHandler({ astro: entry.handler, cacheEnabled: process.env.PAGE_CACHE !== 'off', checkIntervalMs }),
);
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  console.log(`Council Service Alerts listening on http://${host}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
