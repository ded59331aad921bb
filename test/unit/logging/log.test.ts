// Log lines: one JSON object per line, with time, level and msg first and fields after.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatLogLine, logEvent } from '../../../src/lib/logging/log.ts';

afterEach(() => vi.restoreAllMocks());

describe('formatLogLine', () => {
  it('writes time (ISO), level and msg, then the fields', () => {
    const line = formatLogLine('info', 'request', { method: 'GET', status: 200 }, new Date('2026-01-05T07:00:00.000Z'));
    expect(line).toBe('{"time":"2026-01-05T07:00:00.000Z","level":"info","msg":"request","method":"GET","status":200}');
  });

  it('never lets a field overwrite time, level or msg', () => {
    const event = JSON.parse(formatLogLine('warn', 'setting', { level: 'info', msg: 'other', time: 'then', variable: 'PORT' }));
    expect(event).toMatchObject({ level: 'warn', msg: 'setting', variable: 'PORT' });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes an error as its name, message and stack', () => {
    const event = JSON.parse(formatLogLine('error', 'job', { error: new TypeError('no such table') }));
    expect(event.error).toMatchObject({ name: 'TypeError', message: 'no such table' });
    expect(event.error.stack).toContain('no such table');
  });

  it('keeps a line on one line, whatever the fields hold', () => {
    const line = formatLogLine('info', 'request', { path: '/a\nb\r\n{"level":"error"}' });
    expect(line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line).path).toBe('/a\nb\r\n{"level":"error"}');
  });
});

describe('logEvent', () => {
  it('writes the events of one turn of the event loop to stdout together, one line each', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    logEvent('info', 'first', { n: 1 });
    logEvent('warn', 'second', { n: 2 });
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'info', msg: 'first', n: 1 },
      { level: 'warn', msg: 'second', n: 2 },
    ]);
  });
});
