// Fetching a neighbour's feed safely. The address comes from an admin form, so the fetch must
// not become a way to reach our own network (SSRF), hang the poller, or fill its memory:
// only http(s); every address the host name resolves to must be public (and the connection
// is made to the address that was checked, so a DNS answer cannot change in between); at most
// five redirects, each checked again; one deadline for the whole fetch; a size cap on the
// bytes received and on the bytes after decompression. Every failure comes back as a sentence
// an admin can act on — this module never throws.
//
// The cap is 8 MB: a busy council's full archive feed (20,000 items with short descriptions
// is 5–7 MB) must still be readable, and the parsing happens in a worker thread with its own
// memory limit (parse-off-thread.ts), so the size costs the server nothing but the buffer.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The largest feed read, before and after decompression: 8 MB (see the header). */
export const MAX_FEED_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_BYTES = MAX_FEED_BYTES;
export const MAX_REDIRECTS = 5;

export interface FetchFeedOptions {
  /** The deadline for the whole fetch, redirects and body included (default 10 s). */
  timeoutMs?: number;
  /** The most bytes accepted, before and after decompression (default MAX_FEED_BYTES, 8 MB). */
  maxBytes?: number;
  /**
   * Allow loopback and private addresses. Only for the offline demo and tests, where the
   * feeds are served by this machine (NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true); never in production.
   */
  allowPrivateAddresses?: boolean;
  userAgent?: string;
}

/** What the last successful fetch returned, sent back as a conditional request. */
export interface FeedValidators {
  etag?: string | null;
  lastModified?: string | null;
}

export type FetchFeedResult =
  | { status: 'unchanged' }
  | {
      status: 'fetched';
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The address the feed was finally read from, after redirects (for relative links). */
      url: string;
    }
  | { status: 'error'; error: string };

const ACCEPT = [
  'application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/cap+xml',
  'application/rdf+xml;q=0.9', 'application/xml;q=0.9', 'text/xml;q=0.9', 'application/json;q=0.8', '*/*;q=0.5',
].join(', ');

/** Thrown inside this module only, to carry a plain-words reason to the one catch. */
class FeedFetchError extends Error {
  override name = 'FeedFetchError';
}

const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (and cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and broadcast
] as const) {
  blockedV4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blockedV6.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  if (sixToFour) {
    const high = parseInt(sixToFour[1]!, 16);
    const low = parseInt(sixToFour[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/**
 * Whether an IP address is on the public internet: not loopback, private, link-local,
 * carrier-grade NAT, unique-local, multicast, documentation or otherwise reserved — including
 * IPv4 addresses wrapped in IPv6 (`::ffff:127.0.0.1`).
 */
export function isPublicAddress(address: string): boolean {
  const unbracketed = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(unbracketed);
  if (family === 4) return !blockedV4.check(unbracketed, 'ipv4');
  if (family === 6) {
    const inner = embeddedIpv4(unbracketed);
    if (inner !== null) return isIP(inner) === 4 && !blockedV4.check(inner, 'ipv4');
    return !blockedV6.check(unbracketed, 'ipv6');
  }
  return false;
}

function privateAddressError(host: string, address: string): FeedFetchError {
  const shown = host === address ? address : `${host}, ${address}`;
  return new FeedFetchError(`the address points to a private or local network (${shown}), which is not allowed`);
}

/**
 * A DNS lookup for node:http that resolves every address of the host and refuses the lot if
 * any one is not public: the connection then goes to an address that was checked.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      if (!allowPrivate) {
        const bad = list.find((a) => !isPublicAddress(a.address));
        if (bad) return callback(privateAddressError(hostname, bad.address), '', 0);
      }
      if (list.length === 0) return callback(Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function checkUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FeedFetchError('the feed address is not a valid web address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedFetchError('the feed address must start with http:// or https://');
  }
  if (url.username || url.password) throw new FeedFetchError('the feed address must not contain a user name or password');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate) {
    if (isIP(host) && !isPublicAddress(host)) throw privateAddressError(host, host);
    if (/^localhost$|\.localhost$/i.test(host)) throw privateAddressError(host, host);
  }
  return url;
}

function sizeError(maxBytes: number): FeedFetchError {
  return new FeedFetchError(`the feed is larger than ${formatBytes(maxBytes)}`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Plain words for an HTTP error status. */
function statusError(status: number): FeedFetchError {
  if (status === 404 || status === 410) return new FeedFetchError(`the feed was not found at that address (HTTP ${status})`);
  if (status === 401 || status === 403) return new FeedFetchError(`the server refused to give us the feed (HTTP ${status})`);
  if (status === 429) return new FeedFetchError('the server asked us to slow down (HTTP 429)');
  if (status >= 500) return new FeedFetchError(`the server had a problem (HTTP ${status})`);
  return new FeedFetchError(`the server answered with HTTP ${status} instead of the feed`);
}

/**
 * Plain words for the connection failures any outgoing request meets (a name not found, refused,
 * unreachable, a failed secure connection), or null for the others. Shared with the webhook sender.
 */
export function describeConnectionFailure(code: string, host: string): string | null {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
      return `the server name ${host} could not be found`;
    case 'ECONNREFUSED':
      return `the server at ${host} refused the connection`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the server at ${host} cannot be reached`;
    default:
      if (/^(?:ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code)) {
        return `the secure connection to ${host} failed (${code.toLowerCase().replace(/_/g, ' ')})`;
      }
      return null;
  }
}

/** Plain words for a network error from node:http. */
function networkError(error: unknown, url: URL): string {
  if (error instanceof FeedFetchError) return error.message;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof FeedFetchError) return cause.message;
  const code = (error as { code?: string }).code ?? '';
  const host = url.hostname;
  const common = describeConnectionFailure(code, host);
  if (common) return common;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') return `the server at ${host} closed the connection before sending the whole feed`;
  if (/^(?:Z_|ERR__ERROR|ERR_BROTLI)/.test(code)) return 'the server sent a compressed feed that could not be unpacked';
  if (code.startsWith('HPE_')) return `the server at ${host} sent an answer that is not valid HTTP`;
  return `the feed could not be fetched (${(error as Error).message || code || 'unknown network error'})`;
}

interface Hop {
  response: IncomingMessage;
  url: URL;
}

function requestOnce(url: URL, headers: Record<string, string>, signal: AbortSignal, allowPrivate: boolean): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, signal, lookup: guardedLookup(allowPrivate) }, (response) => resolve({ response, url }));
    req.on('error', reject);
    req.end();
  });
}

/** Reads a response body, decompressing it, failing as soon as either size passes the cap. */
async function readBody(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw sizeError(maxBytes);
  }
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  let stream: Readable = response;
  if (decoder) {
    // The compressed bytes count too: a server must not stream endlessly into the decoder.
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) response.destroy(sizeError(maxBytes));
    });
    response.on('error', (error) => decoder.destroy(error));
    stream = response.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      response.destroy();
      stream.destroy();
      throw sizeError(maxBytes);
    }
    chunks.push(buffer);
  }
  // A view, not a copy: a feed's bytes are copied once here, and a large one owns its memory,
  // so the parser can take it over without another copy (parse-off-thread.ts).
  const body = Buffer.concat(chunks, size);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/**
 * Fetches a feed with a conditional GET. `unchanged` when the server answers 304 to the
 * validators of the last fetch; `fetched` with the raw bytes (decoding is the parser's job:
 * feeds declare their encoding in the XML prolog); otherwise `error` with a plain-words reason.
 */
export async function fetchFeed(
  url: string,
  validators: FeedValidators = {},
  options: FetchFeedOptions = {},
): Promise<FetchFeedResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const allowPrivate = options.allowPrivateAddresses ?? false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new FeedFetchError(`the server did not answer within ${formatSeconds(timeoutMs)}`)), timeoutMs);
  let current: URL | null = null;
  try {
    current = checkUrl(url, allowPrivate);
    const headers: Record<string, string> = {
      Accept: ACCEPT,
      'Accept-Encoding': 'gzip, deflate, br',
      'User-Agent': options.userAgent ?? 'CouncilServiceAlerts/0.1 (neighbour feed reader)',
    };
    if (validators.etag) headers['If-None-Match'] = validators.etag;
    if (validators.lastModified) headers['If-Modified-Since'] = validators.lastModified;
    for (let redirects = 0; ; redirects++) {
      const { response } = await requestOnce(current, headers, controller.signal, allowPrivate);
      const status = response.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status)) {
        response.resume();
        const location = header(response, 'location');
        if (!location) throw new FeedFetchError(`the server sent a redirect (HTTP ${status}) without saying where to`);
        if (redirects >= MAX_REDIRECTS) throw new FeedFetchError(`the feed address redirects too many times (more than ${MAX_REDIRECTS})`);
        current = checkUrl(new URL(location, current).href, allowPrivate);
        continue;
      }
      if (status === 304) {
        response.resume();
        return { status: 'unchanged' };
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw statusError(status);
      }
      const body = await readBody(response, maxBytes);
      return {
        status: 'fetched',
        body,
        contentType: header(response, 'content-type'),
        etag: header(response, 'etag'),
        lastModified: header(response, 'last-modified'),
        url: current.href,
      };
    }
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof FeedFetchError) {
      return { status: 'error', error: controller.signal.reason.message };
    }
    return { status: 'error', error: current ? networkError(error, current) : networkError(error, new URL('http://invalid')) };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
