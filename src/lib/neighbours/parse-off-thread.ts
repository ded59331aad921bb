// Parsing feeds off the request path. A poll runs inside the web server (schedule.ts, and an
// admin's "check now"), and reading a 20,000-item feed is a second or more of pure CPU: on
// the server's own thread that stalls every page for as long. So parsing (decoding, the XML
// tree, the items) runs in one worker thread per process, one feed at a time, and only the
// kept items (ITEMS_MAX) come back.
//
// Where the worker's code is: the built server is bundled by Vite into dist/, which has no
// copy of parse-worker.ts, so the worker runs the TypeScript source through tsx — the same
// loader `npm start`, the tests and the scripts already run the server with. The file is
// found beside this module when it runs from source (tests, `npm run feeds:poll`), else in
// the project folder above the bundle or the working directory (the built server; `npm start`
// runs from the project root), like db/migrate.ts finds the migrations. If it cannot be found
// or started, feeds are parsed on this thread as before and a warning is logged once.
//
// A worker that runs past PARSE_TIMEOUT_MS, or runs out of its memory limit, is ended and the
// feed recorded as unreadable; the next feed gets a fresh worker. An idle worker is ended
// after a minute, and the worker never keeps the process alive.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { logEvent } from '../logging/log.ts';
import { parseFeed, type ParseFeedOptions, type ParseFeedResult } from './parse.ts';
import type { ParseTask, ParseWorkerMessage } from './parse-worker.ts';

/** The longest one feed may take to parse before its worker is ended. */
export const PARSE_TIMEOUT_MS = 30_000;
/** The worker's heap limit: a feed is at most 8 MB, whose tree takes a few hundred. */
export const PARSE_WORKER_HEAP_MB = 512;
const IDLE_MS = 60_000;
/** After a worker fails to start, feeds are parsed on this thread for a while before it is tried again. */
const RETRY_START_MS = 5 * 60_000;
const WORKER_FILE = 'parse-worker.ts';
const WORKER_PATH = join('src', 'lib', 'neighbours', WORKER_FILE);

interface Pending {
  task: ParseTask;
  resolve: (result: ParseFeedResult) => void;
  timeoutMs: number;
}

/** The worker's source file: beside this module, or in the project folder (see the header). */
export function findParseWorkerFile(): string | null {
  const here = fileURLToPath(new URL(WORKER_FILE, import.meta.url));
  const candidates = [here];
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    candidates.push(join(dir, WORKER_PATH));
    if (dirname(dir) === dir) break;
  }
  candidates.push(resolve(process.cwd(), WORKER_PATH));
  return candidates.find((file) => existsSync(file)) ?? null;
}

function tsxLoader(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

class FeedParserWorker {
  private worker: Worker | null = null;
  private ready: Promise<boolean> | null = null;
  private queue: Pending[] = [];
  private active: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private warned = false;
  private failedToStartAt = Number.NEGATIVE_INFINITY;

  parse(body: Uint8Array | string, options: ParseFeedOptions, timeoutMs: number): Promise<ParseFeedResult> {
    return new Promise((resolve) => {
      this.queue.push({ task: { id: this.nextId++, body, options }, resolve, timeoutMs });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.active || this.queue.length === 0) return;
    const next = this.queue.shift()!;
    this.active = next;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const started = await this.start();
    if (!started) {
      // No worker: parse here rather than not at all (the stall this module exists to avoid).
      this.finish(next, parseFeed(next.task.body, next.task.options));
      return;
    }
    const worker = this.worker!;
    worker.ref();
    this.timer = setTimeout(() => {
      this.discard(`the feed took too long to read (more than ${next.timeoutMs >= 1_000 ? `${Math.round(next.timeoutMs / 1_000)} seconds` : `${next.timeoutMs} ms`})`);
    }, next.timeoutMs);
    // A body that owns its memory is handed over, not copied (8 MB would be a copy on this thread).
    const { body } = next.task;
    const owned = typeof body !== 'string' && body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    worker.postMessage(next.task, owned ? [body.buffer as ArrayBuffer] : []);
  }

  private finish(pending: Pending, result: ParseFeedResult): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.active = null;
    pending.resolve(result);
    if (this.queue.length > 0) {
      void this.pump();
    } else if (this.worker) {
      this.worker.unref();
      this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  /** Ends the worker; the feed it was reading, if any, is answered with `error`. */
  private discard(error: string): void {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    void worker?.terminate();
    const active = this.active;
    if (active) this.finish(active, { ok: false, error });
  }

  private start(): Promise<boolean> {
    if (this.ready) return this.ready;
    if (Date.now() - this.failedToStartAt < RETRY_START_MS) return Promise.resolve(false);
    const file = findParseWorkerFile();
    if (!file) {
      this.failedToStart('the feed parser worker (src/lib/neighbours/parse-worker.ts) was not found');
      return Promise.resolve(false);
    }
    this.ready = new Promise<boolean>((resolve) => {
      let worker: Worker;
      try {
        worker = new Worker(file, {
          execArgv: ['--import', tsxLoader()],
          resourceLimits: { maxOldGenerationSizeMb: PARSE_WORKER_HEAP_MB },
          stdout: false,
          stderr: false,
        });
      } catch (error) {
        this.failedToStart(`the feed parser worker could not be started (${(error as Error).message})`);
        return resolve(false);
      }
      this.worker = worker;
      let isReady = false;
      worker.on('message', (message: ParseWorkerMessage) => {
        if ('ready' in message) {
          isReady = true;
          return resolve(true);
        }
        if (this.worker === worker && this.active?.task.id === message.id) this.finish(this.active, message.result);
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (this.worker !== worker) return;
        if (!isReady) {
          this.failedToStart(`the feed parser worker could not be started (${error.message})`);
          return resolve(false);
        }
        this.discard(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? 'the feed is too large or too deeply nested to read'
            : `the feed could not be read (${error.message})`,
        );
      });
      worker.on('exit', () => {
        if (this.worker !== worker) return;
        if (!isReady) {
          this.failedToStart('the feed parser worker stopped before it was ready');
          return resolve(false);
        }
        this.discard('the feed could not be read (the reader stopped unexpectedly)');
      });
    });
    return this.ready;
  }

  private failedToStart(problem: string): void {
    this.worker = null;
    this.ready = null;
    this.failedToStartAt = Date.now();
    if (this.warned) return;
    this.warned = true;
    logEvent('warn', 'feed parser', { problem, consequence: 'feeds are parsed on the server thread for now' });
  }

  /** Ends the worker (tests, shutdown); feeds waiting are parsed by a new one. */
  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.active) return;
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    void worker?.terminate();
  }
}

const parser = new FeedParserWorker();

/**
 * parseFeed, in this process's parser worker: the same result, without the CPU on this
 * thread. Feeds are parsed one at a time, in the order asked; never rejects. Bytes that own
 * their whole buffer (as fetchFeed's large bodies do) are transferred to the worker, so the
 * caller must not use them afterwards.
 */
export function parseFeedOffThread(body: Uint8Array | string, options: ParseFeedOptions = {}, timeoutMs = PARSE_TIMEOUT_MS): Promise<ParseFeedResult> {
  return parser.parse(body, options, timeoutMs);
}

/** Ends this process's parser worker when it is idle (tests, shutdown). */
export function stopFeedParser(): void {
  parser.stop();
}
