// Serves the built site: the front server (page cache) in front of Astro's Node handler.
// `npm start` runs this after building; tests and the benchmark run it directly.
//   PORT (4321), HOST (localhost), PAGE_CACHE (on|off, default on),
//   CACHE_CHECK_MS (how often to look for other processes' publishes, default 250),
//   LOG_REQUESTS (on|off, default on: one JSON line per request on stdout)
// The settings are checked first: an unsafe or malformed one stops the server before it opens
// anything (exit 1, one JSON line per problem naming the variable).
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { answerClientError } from '../lib/http/client-errors.ts';
import { createFrontHandler, type NodeHandler } from '../lib/http/front-server.ts';
import { logEvent } from '../lib/logging/log.ts';
import { withRequestLog } from '../lib/logging/request-log.ts';
import { checkSettings } from '../lib/server/settings-check.ts';

const settings = checkSettings(process.env);
const variableOf = (problem: string) => /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0];
for (const problem of settings.warnings) logEvent('warn', 'setting', { variable: variableOf(problem), problem });
if (settings.errors.length > 0) {
  for (const problem of settings.errors) logEvent('error', 'refusing to start', { variable: variableOf(problem), problem });
  process.exit(1);
}

process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const entry = (await import(pathToFileURL(resolve('dist/server/entry.mjs')).href)) as { handler: NodeHandler };

const port = Number(process.env.PORT || 4321);
const host = process.env.HOST || 'localhost';
const checkIntervalMs = Number(process.env.CACHE_CHECK_MS || 250);
const cacheEnabled = process.env.PAGE_CACHE !== 'off';
const logRequests = process.env.LOG_REQUESTS !== 'off';

const front = createFrontHandler({ astro: entry.handler, cacheEnabled, checkIntervalMs });
const server = createServer(logRequests ? withRequestLog(front) : front);
server.keepAliveTimeout = 65_000;
server.on('clientError', answerClientError);
server.listen(port, host, () => {
  logEvent('info', 'listening', { url: `http://${host}:${port}`, pageCache: cacheEnabled, logRequests, pid: process.pid });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    logEvent('info', 'stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
