// The one strict reader of numeric query parameters of the API and feeds, and the query reader.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWholeNumber, readQuery, wholeNumberParameter } from '../../../src/lib/open-data/parameters.ts';

const PAGE = { min: 1, max: 500 };
const CURSOR = { min: 0, max: Number.MAX_SAFE_INTEGER };

describe('reading a whole number from a query parameter', () => {
  it('accepts plain decimal digits within the bounds', () => {
    expect(parseWholeNumber('1', PAGE)).toBe(1);
    expect(parseWholeNumber('500', PAGE)).toBe(500);
    expect(parseWholeNumber('0', CURSOR)).toBe(0);
    expect(parseWholeNumber('9007199254740991', CURSOR)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses numbers outside the bounds', () => {
    expect(parseWholeNumber('0', PAGE)).toBeNull();
    expect(parseWholeNumber('501', PAGE)).toBeNull();
    expect(parseWholeNumber('9007199254740992', CURSOR)).toBeNull();
    expect(parseWholeNumber('9999999999999999999', CURSOR)).toBeNull();
  });

  it('refuses every other way of writing a number', () => {
    for (const text of ['0x10', '0X1A', '0b11', '0o7', '1e2', '1e309', '1.5', '10.', '.5', '+5', '-1', '-0', ' 10', '10 ', '1_000', '1,000', '010', '00', 'Infinity', 'NaN', '', '١٢', '１２', '10\u0000']) {
      expect(parseWholeNumber(text, { min: 0, max: 1_000 }), JSON.stringify(text)).toBeNull();
    }
  });

  it('refuses a very long run of digits without reading it', () => {
    expect(parseWholeNumber('9'.repeat(100_000), CURSOR)).toBeNull();
  });
});

describe('reading a query string', () => {
  const schema = z.object({
    limit: wholeNumberParameter(PAGE, 'limit must be a whole number from 1 to 500').default(100),
    since: wholeNumberParameter(CURSOR, 'since must be a cursor').default(0),
  });
  const read = (query: string) => readQuery(schema, new URLSearchParams(query));

  it('gives numbers, and the defaults for parameters not given', () => {
    expect(read('limit=10&since=42')).toEqual({ ok: true, value: { limit: 10, since: 42 } });
    expect(read('')).toEqual({ ok: true, value: { limit: 100, since: 0 } });
  });

  it('names the parameter that is not a plain whole number', () => {
    expect(read('limit=0x10')).toEqual({ ok: false, issues: [{ parameter: 'limit', message: 'limit must be a whole number from 1 to 500' }] });
    expect(read('since=1e3')).toEqual({ ok: false, issues: [{ parameter: 'since', message: 'since must be a cursor' }] });
  });

  it('names a parameter given twice', () => {
    expect(read('limit=1&limit=2')).toEqual({ ok: false, issues: [{ parameter: 'limit', message: 'Give "limit" once' }] });
  });

  it('refuses parameters it does not know, including names an object already has', () => {
    for (const name of ['foo', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const result = read(`${name}=1`);
      expect(result.ok, name).toBe(false);
      expect(!result.ok && result.issues[0]!.parameter, name).toBe(name);
    }
  });

  it('does not echo a huge parameter name back whole', () => {
    const result = read(`${'x'.repeat(10_000)}=1`);
    expect(!result.ok && result.issues[0]!.parameter.length).toBeLessThan(100);
    expect(!result.ok && result.issues[0]!.message.length).toBeLessThan(120);
  });
});
