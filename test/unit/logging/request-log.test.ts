// The request line: which path is logged (never a query or a tracking token), and its fields.
import { describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cacheOutcome, redactPath, requestFields } from '../../../src/lib/logging/request-log.ts';

describe('redactPath', () => {
  it('keeps the path of an ordinary page', () => {
    expect(redactPath('/services/schools')).toBe('/services/schools');
    expect(redactPath('/')).toBe('/');
  });

  it('drops the query string and fragment, whose values could carry anything a person typed', () => {
    expect(redactPath('/services/schools?q=HD1+2AB&status=closed')).toBe('/services/schools');
    expect(redactPath('/staff/sign-in?next=/staff/review')).toBe('/staff/sign-in');
    expect(redactPath('/api/v1/changes?since=42#x')).toBe('/api/v1/changes');
  });

  it('replaces the token of a suggestion tracking page', () => {
    expect(redactPath('/suggestions/k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8')).toBe('/suggestions/:token');
    expect(redactPath('/suggestions/abc?done=sent')).toBe('/suggestions/:token');
    expect(redactPath('/updates/abcdef/more')).toBe('/updates/:token/more');
  });

  it('keeps only the path of an absolute-form target', () => {
    expect(redactPath('http://alerts.example.org/suggestions/secret?x=1')).toBe('/suggestions/:token');
    expect(redactPath('http://alerts.example.org')).toBe('/');
  });

  it('cuts very long paths short', () => {
    const logged = redactPath('/' + 'a'.repeat(5000));
    expect(logged.length).toBeLessThanOrEqual(201);
    expect(logged.endsWith('…')).toBe(true);
  });
});

/** Serves one request with `respond`, then hands back what the request line would say. */
async function fieldsFor(path: string, respond: (res: ServerResponse) => void): Promise<Record<string, unknown>> {
  let fields: Record<string, unknown> = {};
  const done = new Promise<void>((resolve) => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const started = performance.now();
      res.once('close', () => {
        fields = requestFields(req, res, started, started + 12.345);
        server.close();
        resolve();
      });
      respond(res);
    });
    server.listen(0, '127.0.0.1', async () => {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' })).arrayBuffer();
    });
  });
  await done;
  return fields;
}

describe('requestFields', () => {
  it('reads the cache outcome and length from headers passed straight to writeHead', async () => {
    const fields = await fieldsFor('/services/schools?q=secret', (res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'x-cache': 'HIT', 'content-length': '5' });
      res.end('hello');
    });
    expect(fields).toEqual({ method: 'GET', path: '/services/schools', status: 200, ms: 12.3, cache: 'HIT', bytes: 5 });
  });

  it('reads headers set one by one (Astro), and says null when there is no X-Cache', async () => {
    const miss = await fieldsFor('/alerts/1', (res) => {
      res.setHeader('X-Cache', 'MISS');
      res.end('rendered');
    });
    expect(miss).toMatchObject({ status: 200, cache: 'MISS' });
    const staff = await fieldsFor('/staff', (res) => {
      res.statusCode = 303;
      res.setHeader('location', '/staff/sign-in');
      res.end();
    });
    expect(staff).toMatchObject({ path: '/staff', status: 303, cache: null });
    expect(staff).not.toHaveProperty('aborted');
  });

  it('finds X-Cache in a sent head whatever its case', () => {
    const res = { getHeader: () => undefined } as unknown as ServerResponse;
    expect(cacheOutcome(res, 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Cache: stale\r\n\r\n')).toBe('STALE');
    expect(cacheOutcome(res, 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n')).toBeNull();
    expect(cacheOutcome(res, null)).toBeNull();
  });
});
