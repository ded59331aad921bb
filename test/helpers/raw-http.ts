// Requests fetch() cannot make: any method (TRACE is forbidden in fetch), any request target
// (`*`, malformed percent-encoding), and huge bodies generated as they are sent — never held in
// memory — with a declared Content-Length or chunked. The answer is read as soon as it comes,
// and sending stops then (a server that refuses early must not have to read the rest).
import { request } from 'node:http';
import { Readable } from 'node:stream';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from sending the request to the answer's status line. */
  msToAnswer: number;
  /** Bytes of the body written to the socket before the answer came. */
  bytesSent: number;
}

export interface RawRequest {
  method: string;
  /** The request target as sent, unencoded by us. */
  target: string;
  headers?: Record<string, string>;
  /** A generated body of this many bytes (64 KB chunks of `a`). */
  bodyBytes?: number;
  /** Send the body chunked (no Content-Length) instead of declaring its length. */
  chunked?: boolean;
  /** A body given in full. */
  body?: string;
}

/** A Readable of `total` bytes in 64 KB chunks, made as they are read. */
export function generatedBody(total: number, onChunk?: (bytes: number) => void): Readable {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      onChunk?.(n);
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

/** Sends one request to `baseUrl` and resolves with the answer (rejects if none came). */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { ...options.headers };
    let bytesSent = 0;
    let source: Readable | undefined;
    if (options.bodyBytes !== undefined) {
      if (!options.chunked) headers['Content-Length'] = String(options.bodyBytes);
      source = generatedBody(options.bodyBytes, (n) => (bytesSent += n));
    } else if (options.body !== undefined) {
      if (options.chunked) source = Readable.from([Buffer.from(options.body)]);
      else headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const req = request({ host: url.hostname, port: url.port, method: options.method, path: options.target, headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const msToAnswer = performance.now() - started;
      if (source) {
        source.unpipe(req);
        source.destroy();
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), msToAnswer, bytesSent });
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (source) source.pipe(req);
    else req.end(options.body);
  });
}
