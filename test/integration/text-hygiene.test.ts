// Text hygiene through the real built server: every form is read by src/lib/http/forms.ts,
// which stores text as NFC, drops control characters and bidirectional overrides, and reads a
// field made only of invisible characters as empty — so "required" still means required.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { parse as parseHtml } from 'node-html-parser';
import { places, revisions, suggestions } from '../../db/schema/index.ts';
import type { AlertContent, PlaceContent } from '../../src/lib/revisions/content.ts';
import { tokenHash } from '../../src/lib/suggestions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000', LOG_REQUESTS: 'off' });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

/** Opens a suggestion form and posts it with `fields` (raw urlencoded values, so NUL can be sent). */
async function suggest(query: string, fields: Record<string, string>): Promise<Response> {
  const page = parseHtml(await (await server.get(`/suggest?${query}`)).text());
  const form = page.querySelector('form#suggest-form')!;
  const hidden = form.querySelectorAll('input[type="hidden"]').map((i) => `${i.getAttribute('name')}=${encodeURIComponent(i.getAttribute('value') ?? '')}`);
  const body = [...hidden, 'website=', ...Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${v}`)].join('&');
  return server.get(form.getAttribute('action')!, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

const enc = encodeURIComponent;
const NUL = '%00';
const ZERO_WIDTH = enc('\u200B\u200C\u200D\u2060\uFEFF');
const BIDI_ONLY = enc('\u202E\u2066\u2069\u202C');

async function errors(response: Response) {
  const doc = parseHtml(await response.text());
  return { summary: textOf(doc.querySelector('.govuk-error-summary')), errorFor: (field: string) => textOf(doc.querySelector(`#${field}-error`)) };
}

async function storedContent<T>(response: Response): Promise<{ content: T; howKnown: string }> {
  expect(response.status).toBe(303);
  const token = /^\/suggestions\/([a-z2-7]{32})/.exec(response.headers.get('location') ?? '')![1]!;
  const [row] = await t.db
    .select({ content: revisions.content, howKnown: suggestions.howKnown })
    .from(suggestions)
    .innerJoin(revisions, eq(revisions.suggestionId, suggestions.id))
    .where(eq(suggestions.tokenHash, tokenHash(token)));
  return { content: row!.content as T, howKnown: row!.howKnown };
}

describe('text typed into a suggestion', () => {
  it('asks for text again when a required field holds only NUL, zero-width or direction characters', async () => {
    for (const invisible of [NUL, `${NUL}${NUL}`, ZERO_WIDTH, BIDI_ONLY, `%20${ZERO_WIDTH}%0D%0A${NUL}`]) {
      const response = await suggest('target=new&missing=information', { headline: invisible, details: invisible, 'how-known': invisible, email: '' });
      expect(response.status, invisible).toBe(400);
      const { summary, errorFor } = await errors(response);
      expect(errorFor('headline'), invisible).toContain('Enter a headline');
      expect(errorFor('details'), invisible).toContain('Enter the details');
      expect(errorFor('how-known'), invisible).toContain('Enter how you know');
      expect(summary).toContain('Enter a headline');
    }
  });

  it('asks for the name of a missing place when it is made of invisible characters', async () => {
    const response = await suggest('target=new&missing=place', { service: 'schools', name: ZERO_WIDTH, address: '', postcode: '', status: 'open', note: '', 'how-known': 'I work there' });
    expect(response.status).toBe(400);
    expect((await errors(response)).errorFor('name')).toContain('Enter the name of the place');
  });

  it('stores a decomposed accented name as NFC, so it matches the same name typed composed', async () => {
    const decomposed = 'Ecole Rene\u0301e Saint-Andre\u0301';
    const response = await suggest('target=new&missing=place', {
      service: 'schools', name: enc(decomposed), address: enc('1 Rue de l’E\u0301glise'), postcode: '', status: 'open', note: '', 'how-known': enc('J’y travaille'),
    });
    const { content } = await storedContent<PlaceContent>(response);
    expect(content.name).toBe('Ecole Ren\u00e9e Saint-Andr\u00e9');
    expect(content.name).toBe(decomposed.normalize('NFC'));
    expect(content.address).toBe('1 Rue de l’\u00c9glise');
  });

  it('drops NUL, other control characters and direction overrides from the text it keeps', async () => {
    const [place] = await t.db.select().from(places).where(eq(places.slug, 'holmfirth-high-school'));
    const response = await suggest(`target=place:${place!.id}`, {
      status: 'open',
      note: `Open${NUL} as normal${enc('\u202E')} today${enc('\u0007\u001B\u0085')}%0D%0ASecond line`,
      'how-known': `I${NUL} walked past`,
      email: '',
    });
    const { content, howKnown } = await storedContent<PlaceContent>(response);
    expect(content.noteMarkdown).toBe('Open as normal today\nSecond line');
    expect(howKnown).toBe('I walked past');
  });

  it('keeps right-to-left text, direction marks and emoji joiners that real text needs', async () => {
    const text = '\u05E9\u05DC\u05D5\u05DD\u200F \u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const response = await suggest('target=new&missing=information', { headline: enc(text), details: enc('Details'), 'how-known': enc('I saw it'), email: '' });
    const { content } = await storedContent<AlertContent>(response);
    expect(content.headline).toBe(text);
  });
});

describe('passwords', () => {
  it('are refused with a 400 page when they hold NUL, rather than changed', async () => {
    const response = await server.get('/staff/sign-in', {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'email=someone%40example.org&password=secret%00',
    });
    expect(response.status).toBe(400);
    expect(textOf(parseHtml(await response.text()).querySelector('h1'))).toBe('Sorry, we could not read that');
  });
});
