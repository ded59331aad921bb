// The yardstick for `npm run bench`: a bare node:http server sending one fixed response (the
// very bytes and headers the site sent for the page), as fast as Node can.
// Usage: node test/bench/bare-server.mjs BODY_FILE HEADERS_JSON PORT
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyFile, headersJson, port] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = { ...JSON.parse(headersJson), 'content-length': String(body.length) };
const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
