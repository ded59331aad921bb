// Answers for requests Node's HTTP parser refuses before any handler runs — an address or
// headers over the 16 KB limit (431), or bytes that are not HTTP (400). Without a `clientError`
// listener Node answers these with an empty body; residents pasting a long link and API clients
// deserve a sentence, in JSON under /api and /feeds, with the usual security headers.
import type { Socket } from 'node:net';
import { securityHeaders } from './security-headers.ts';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The request line's path, when the parser got that far ("GET /api/v1/x?… HTTP/1.1"). */
function requestedPath(error: ParserError): string {
  const head = error.rawPacket?.subarray(0, 512).toString('latin1') ?? '';
  return /^[A-Z]+ (\/\S*)/.exec(head)?.[1] ?? '';
}

/** The raw HTTP/1.1 answer for a refused request (exported for its unit test). */
export function clientErrorAnswer(error: ParserError, siteUrl: string | undefined): string {
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW' || error.code === 'HPE_URI_TOO_LONG';
  const status = tooLarge ? 431 : 400;
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  const message = tooLarge
    ? 'The address or its headers are too long. Shorten the search or the link and try again.'
    : 'The request could not be read.';
  const json = /^\/(?:api|feeds)\//.test(requestedPath(error));
  const body = json
    ? JSON.stringify({ error: { status, message } })
    : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${reason}</title></head><body><h1>${message}</h1></body></html>`;
  const headers = [
    `HTTP/1.1 ${status} ${reason}`,
    ...securityHeaders(siteUrl).map(([name, value]) => `${name}: ${value}`),
    `Content-Type: ${json ? 'application/json' : 'text/html'}; charset=utf-8`,
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** The `clientError` listener for the HTTP server. */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A connection reset or a timeout has nobody to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorAnswer(error, process.env.SITE_URL));
}
