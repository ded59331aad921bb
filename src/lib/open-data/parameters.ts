// Query parameters of the open-data addresses (/api/v1, /feeds), read strictly in one place:
// only the parameters an address knows, each at most once, and every number through one parser
// (wholeNumber), so `limit=0x10`, `limit=1e2`, `since=+5` or `limit= 10` are refused the same
// way everywhere — a 400 naming the parameter — instead of being guessed at by Number().
import { z } from 'zod';

export interface ParameterIssue {
  parameter: string;
  message: string;
}
export interface Invalid {
  ok: false;
  issues: ParameterIssue[];
}
export type Checked<T> = { ok: true; value: T } | Invalid;

/** ASCII digits with no sign and no leading zero, or "0" itself. */
const WHOLE_NUMBER = /^(?:0|[1-9][0-9]*)$/;

/**
 * A whole number written plainly in decimal ("0", "42"), within `min`…`max` (which must be a
 * safe integer); null for anything else: signs, leading zeros, spaces, decimals, exponents, hex,
 * digits from other scripts, or a number too big to hold exactly.
 */
export function parseWholeNumber(text: string, bounds: { min: number; max: number }): number | null {
  const { min, max } = bounds;
  if (!Number.isSafeInteger(max) || !Number.isSafeInteger(min)) throw new RangeError('bounds must be safe integers');
  // The length check first, so a 100 KB run of digits is refused without making a number of it.
  if (text.length > String(max).length || !WHOLE_NUMBER.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/**
 * A query parameter that is a whole number (see parseWholeNumber), as a zod schema from the
 * string to the number; `message` is what a 400 says about it, e.g. "limit must be a whole
 * number from 1 to 500".
 */
export function wholeNumberParameter(bounds: { min: number; max: number }, message: string) {
  return z.string().transform((text, ctx) => {
    const n = parseWholeNumber(text, bounds);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });
}

/** A parameter's name as an answer repeats it: a name of 100 KB is not sent back whole. */
function named(key: string): string {
  return key.length > 60 ? `${key.slice(0, 60)}…` : key;
}

function invalid(error: z.ZodError): Invalid {
  return {
    ok: false,
    issues: error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => ({ parameter: named(key), message: `"${named(key)}" is not a parameter of this address` }))
        : [{ parameter: i.path.join('.') || 'query', message: i.message }],
    ),
  };
}

/** Query strings may only carry the parameters an address knows, each once. */
export function readQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): Checked<z.infer<S>> {
  // No prototype: "__proto__" or "constructor" are names like any other (and so refused).
  const raw: Record<string, string> = Object.create(null);
  for (const [key, value] of params) {
    if (Object.hasOwn(raw, key)) return { ok: false, issues: [{ parameter: named(key), message: `Give "${named(key)}" once` }] };
    raw[key] = value;
  }
  const result = schema.strict().safeParse(raw);
  return result.success ? { ok: true, value: result.data as z.infer<S> } : invalid(result.error);
}
