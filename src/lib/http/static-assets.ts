// Static files of the build (dist/client: Astro's hashed bundles under /_astro/, the favicon,
// images), answered by the front server from memory — Astro's own static handler sent them
// uncompressed and without the security headers. Text files are precompressed at build
// (`precompressAssets`, run by src/scripts/build.ts: a .br and a .gz beside each file); the
// answer is picked by Accept-Encoding. Hashed files are cached for a year as immutable, the
// others for a day; every answer has a content-hash ETag, Last-Modified, 304s and the shared
// security headers. A path that is not a file of the build is not answered here (Astro's 404).
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';
import { securityHeaders } from './security-headers.ts';

/** Files named by content hash (Astro's `build.assets` folder): a new version gets a new name. */
const HASHED_PREFIX = '/_astro/';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Unhashed files (the favicon, images) keep their name across builds: a day, then revalidate. */
export const UNHASHED_CACHE_CONTROL = 'public, max-age=86400';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pdf': 'application/pdf',
  '.gz': 'application/gzip',
};

/** Files worth compressing (text); images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.css', '.js', '.mjs', '.json', '.map', '.webmanifest', '.txt', '.xml', '.svg', '.ico']);

type Coding = 'br' | 'gzip';
const SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

export function isCompressible(path: string): boolean {
  return COMPRESSIBLE.has(extname(path).toLowerCase());
}

function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function brotli(body: Buffer) {
  return {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  };
}

/** Every regular file under `dir` (recursively), skipping dotfiles, as paths relative to it. */
function walk(dir: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return walk(dir, relative);
      return entry.isFile() ? [relative] : [];
    });
}

export interface PrecompressSummary {
  files: number;
  raw: number;
  br: number;
  gzip: number;
}

/**
 * Writes `file.br` (brotli, best quality) and `file.gz` (gzip -9) beside every compressible file
 * under `root`, each only when it is smaller than the file. Run once per build, so the server
 * never spends request time on it.
 */
export function precompressAssets(root: string): PrecompressSummary {
  const summary: PrecompressSummary = { files: 0, raw: 0, br: 0, gzip: 0 };
  for (const relative of walk(root)) {
    if (!isCompressible(relative)) continue;
    const file = join(root, relative);
    const body = readFileSync(file);
    const br = brotliCompressSync(body, brotli(body));
    const gz = gzipSync(body, { level: 9 });
    summary.files += 1;
    summary.raw += body.length;
    summary.br += Math.min(br.length, body.length);
    summary.gzip += Math.min(gz.length, body.length);
    // A variant no smaller than the file is not worth a Vary: none (and none left from before).
    for (const [coding, encoded] of [['br', br], ['gzip', gz]] as const) {
      if (encoded.length < body.length) writeFileSync(file + SUFFIX[coding], encoded);
      else rmSync(file + SUFFIX[coding], { force: true });
    }
  }
  return summary;
}

/** Browsers send a handful of distinct Accept-Encoding values: remember the answers. */
const encodingChoices = new Map<string, Coding | null>();

/** The coding to answer with for an Accept-Encoding value: brotli, else gzip, else none. */
export function preferredEncoding(acceptEncoding: string | undefined): Coding | null {
  if (!acceptEncoding) return null;
  let choice = encodingChoices.get(acceptEncoding);
  if (choice === undefined) {
    choice = parseAcceptEncoding(acceptEncoding);
    if (encodingChoices.size < 200) encodingChoices.set(acceptEncoding, choice);
  }
  return choice;
}

function parseAcceptEncoding(acceptEncoding: string): Coding | null {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name.trim(), weight ? Number(weight.slice(2)) || 0 : 1);
  }
  const accepts = (name: string) => (q.get(name) ?? (q.get('*') ?? 0)) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return null;
}

/**
 * The path of a request target if it may name a file of the build: the pathname, decoded once,
 * with no `.` or `..` segment, no empty segment, no NUL and no backslash. Anything else is null
 * (and is left to Astro). Only exact files found in the build folder at start are ever served,
 * so this is a second fence, not the only one.
 */
export function assetPathOf(target: string | undefined): string | null {
  if (!target || target.charCodeAt(0) !== 47 /* / */) return null;
  const end = target.search(/[?#]/);
  let path = end === -1 ? target : target.slice(0, end);
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return null;
    }
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return path;
}

interface Representation {
  body: Buffer;
  etag: string;
  /** Every header of a 200 answer; a 304 sends these less the body's own. */
  headers: Record<string, string>;
}

interface LoadedAsset {
  identity: Representation;
  br?: Representation;
  gzip?: Representation;
  /** Every ETag this file has answered with (one per coding): any of them is still current. */
  etags: Set<string>;
  lastModifiedMs: number;
}

interface StreamedAsset {
  streamed: true;
  file: string;
  etag: string;
  headers: Record<string, string>;
  lastModifiedMs: number;
}

interface IndexedFile {
  file: string;
  size: number;
  mtimeMs: number;
  loaded?: LoadedAsset | StreamedAsset;
  loading?: Promise<LoadedAsset | StreamedAsset>;
}

export interface StaticAssetOptions {
  /** The build's client folder (dist/client). */
  root: string;
  /** The site's public address: Strict-Transport-Security when it is https:. */
  siteUrl: string | undefined;
  /** Memory kept for file bodies, all codings together; files beyond it are read from disk. */
  maxCachedBytes?: number;
  /** A file larger than this is always read from disk (never kept). */
  maxFileBytes?: number;
}

export interface StaticAssets {
  /**
   * Answers a GET or HEAD for a file of the build and returns true; returns false (and does
   * nothing) for anything else, which then goes to Astro.
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
}

const compressAsync: Record<Coding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => promisify(brotliCompress)(body, brotli(body)),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

export function createStaticAssets(options: StaticAssetOptions): StaticAssets {
  const root = resolve(options.root);
  const maxCachedBytes = options.maxCachedBytes ?? 32 * 1024 * 1024;
  const maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024;
  const security = Object.fromEntries(securityHeaders(options.siteUrl).map(([name, value]) => [name.toLowerCase(), value]));
  let cachedBytes = 0;

  // The build does not change under a running server: list it once.
  const index = new Map<string, IndexedFile>();
  for (const relative of walk(root)) {
    // Pages Astro prerendered are pages (its trailing-slash and index rules): left to Astro.
    if (relative.endsWith('.html')) continue;
    const file = join(root, relative);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile()) index.set(`/${relative}`, { file, size: stat.size, mtimeMs: stat.mtimeMs });
  }

  function baseHeaders(path: string, lastModifiedMs: number): Record<string, string> {
    return {
      'content-type': contentTypeOf(path),
      'cache-control': path.startsWith(HASHED_PREFIX) ? IMMUTABLE_CACHE_CONTROL : UNHASHED_CACHE_CONTROL,
      'last-modified': new Date(lastModifiedMs).toUTCString(),
      ...(isCompressible(path) ? { vary: 'Accept-Encoding' } : {}),
      ...security,
    };
  }

  function representation(path: string, body: Buffer, etag: string, lastModifiedMs: number, coding?: Coding): Representation {
    const headers = baseHeaders(path, lastModifiedMs);
    headers['etag'] = etag;
    if (coding) headers['content-encoding'] = coding;
    headers['content-length'] = String(body.length);
    return { body, etag, headers };
  }

  async function load(path: string, entry: IndexedFile): Promise<LoadedAsset | StreamedAsset> {
    const lastModifiedMs = Math.floor(entry.mtimeMs / 1000) * 1000;
    if (entry.size > maxFileBytes || cachedBytes + entry.size > maxCachedBytes) {
      const etag = `"${entry.size.toString(16)}-${Math.floor(entry.mtimeMs).toString(16)}"`;
      const headers = baseHeaders(path, lastModifiedMs);
      delete headers['vary'];
      headers['etag'] = etag;
      headers['content-length'] = String(entry.size);
      return { streamed: true, file: entry.file, etag, headers, lastModifiedMs };
    }
    cachedBytes += entry.size; // reserved before the read, so concurrent first requests stay within the bound
    const body = await readFile(entry.file).catch((error: unknown) => {
      cachedBytes -= entry.size;
      throw error;
    });
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    const asset: LoadedAsset = {
      identity: representation(path, body, `"${hash}"`, lastModifiedMs),
      etags: new Set([`"${hash}"`]),
      lastModifiedMs,
    };
    if (isCompressible(path)) {
      for (const coding of ['br', 'gzip'] as const) {
        const sibling = index.get(path + SUFFIX[coding]);
        // Precompressed at build; a build made without that step is compressed here, once.
        const encoded = sibling ? await readFile(sibling.file) : await compressAsync[coding](body);
        if (encoded.length >= body.length) continue;
        const etag = `"${hash}-${coding === 'br' ? 'br' : 'gz'}"`;
        asset[coding] = representation(path, encoded, etag, lastModifiedMs, coding);
        asset.etags.add(etag);
      }
    }
    cachedBytes += (asset.br?.body.length ?? 0) + (asset.gzip?.body.length ?? 0);
    return asset;
  }

  function isNotModified(req: IncomingMessage, etags: Set<string>, lastModifiedMs: number): boolean {
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch) {
      return ifNoneMatch.split(',').some((raw) => {
        const tag = raw.trim();
        return tag === '*' || etags.has(tag.startsWith('W/') ? tag.slice(2) : tag);
      });
    }
    const since = req.headers['if-modified-since'] ? Date.parse(req.headers['if-modified-since']) : NaN;
    return !Number.isNaN(since) && lastModifiedMs <= since;
  }

  function send(req: IncomingMessage, res: ServerResponse, asset: LoadedAsset | StreamedAsset): void {
    if ('streamed' in asset) {
      if (isNotModified(req, new Set([asset.etag]), asset.lastModifiedMs)) return notModified(res, asset.headers);
      res.writeHead(200, asset.headers);
      if (req.method === 'HEAD') return void res.end();
      const stream = createReadStream(asset.file);
      stream.once('error', () => res.destroy());
      stream.pipe(res);
      return;
    }
    const coding = preferredEncoding(req.headers['accept-encoding']);
    const chosen = (coding && asset[coding]) || asset.identity;
    if (isNotModified(req, asset.etags, asset.lastModifiedMs)) return notModified(res, chosen.headers);
    res.writeHead(200, chosen.headers);
    res.end(req.method === 'HEAD' ? undefined : chosen.body);
  }

  function notModified(res: ServerResponse, headers: Record<string, string>): void {
    const { 'content-length': _length, 'content-encoding': _coding, ...rest } = headers;
    res.writeHead(304, rest);
    res.end();
  }

  function failed(res: ServerResponse): void {
    // Listed at start but unreadable now (the build folder was changed under the server).
    if (res.headersSent) return void res.destroy();
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...security });
    res.end('Not found\n');
  }

  return {
    serve(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const path = assetPathOf(req.url);
      const entry = path === null ? undefined : index.get(path);
      if (path === null || !entry) return false;
      if (entry.loaded) {
        send(req, res, entry.loaded);
        return true;
      }
      entry.loading ??= load(path, entry).then((asset) => {
        entry.loaded = asset;
        return asset;
      });
      entry.loading.then(
        (asset) => send(req, res, asset),
        () => {
          entry.loading = undefined;
          failed(res);
        },
      );
      return true;
    },
  };
}

let defaultAssets: StaticAssets | undefined;

/**
 * The front server's entry point: files of the build in dist/client (relative to the working
 * directory, as serve.ts finds dist/server), with HSTS when SITE_URL is https:. Returns false for
 * anything that is not one of those files (it goes on to the page cache or Astro).
 */
export function serveStaticAsset(req: IncomingMessage, res: ServerResponse): boolean {
  defaultAssets ??= createStaticAssets({ root: 'dist/client', siteUrl: process.env.SITE_URL });
  return defaultAssets.serve(req, res);
}
