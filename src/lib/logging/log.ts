// Structured logs: the home of the one JSON line per event the server writes on stdout
// ({"time", "level", "msg", …fields}). Lines are gathered and written once per turn of the
// event loop, so a busy server makes one write call for many requests; whatever is still
// gathered is written synchronously when the process exits.
import { writeSync } from 'node:fs';

export type LogLevel = 'info' | 'warn' | 'error';

let pending = '';
let scheduled = false;
let exitHookInstalled = false;

function flush(): void {
  scheduled = false;
  if (!pending) return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
}

function flushSync(): void {
  if (!pending) return;
  const text = pending;
  pending = '';
  try {
    writeSync(1, text);
  } catch {
    // stdout is gone (closed pipe): nothing else to do at exit.
  }
}

/** One event as a JSON line (no newline); `fields` never overwrite time, level or msg. */
export function formatLogLine(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined, now?: Date): string {
  const event: Record<string, unknown> = { time: now ? now.toISOString() : isoNow(), level, msg };
  // A replacer takes JSON.stringify off its fast path: only use one when a field needs it.
  let plain = true;
  if (fields) {
    for (const key in fields) {
      if (key === 'time' || key === 'level' || key === 'msg') continue;
      const value = fields[key];
      if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) plain = false;
      event[key] = value;
    }
  }
  return plain ? JSON.stringify(event) : JSON.stringify(event, replaceErrors);
}

let isoMs = 0;
let iso = '';
/** The time as ISO 8601, formatted once per millisecond (a busy server logs many lines in one). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

/** Writes one event. Errors in `fields` are written as { name, message, stack }. */
export function logEvent(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  pending += formatLogLine(level, msg, fields) + '\n';
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', flushSync);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack) out.stack = value.stack;
    if (value.cause !== undefined) out.cause = value.cause instanceof Error ? { name: value.cause.name, message: value.cause.message } : String(value.cause);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
