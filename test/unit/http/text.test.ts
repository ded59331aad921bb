// The one text-hygiene pass every posted form goes through (src/lib/http/text.ts), and the form
// readers that apply it (src/lib/http/forms.ts).
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/lib/errors.ts';
import { readForm, readLimitedForm } from '../../../src/lib/http/forms.ts';
import { cleanFormData, cleanFormText, isInvisible, isSecretField } from '../../../src/lib/http/text.ts';

const DECOMPOSED_E = 'e\u0301';
const COMPOSED_E = '\u00e9';

describe('cleaning the text of a form field', () => {
  it('stores accented letters in one composed form (NFC)', () => {
    expect(cleanFormText(`Caf${DECOMPOSED_E} Ren${DECOMPOSED_E}e`)).toBe(`Caf${COMPOSED_E} Ren${COMPOSED_E}e`);
    expect(cleanFormText(`Caf${DECOMPOSED_E}`).length).toBe(4);
  });

  it('leaves ordinary text, tabs and line breaks alone', () => {
    expect(cleanFormText('Closed until Monday.\n\tBurst pipe — sorry!')).toBe('Closed until Monday.\n\tBurst pipe — sorry!');
  });

  it('reads CRLF and lone CR line breaks as LF', () => {
    expect(cleanFormText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('removes NUL and every other control character', () => {
    expect(cleanFormText('Hol\u0000mfirth')).toBe('Holmfirth');
    expect(cleanFormText('a\u0001b\u0007c\u0008d\u000Be\u000Cf\u001Bg\u001Fh\u007Fi')).toBe('abcdefghi');
    expect(cleanFormText('C1\u0080\u0085\u009B\u009F')).toBe('C1');
  });

  it('removes bidirectional embeddings, overrides and isolates wherever they are', () => {
    // "Trojan Source": shown as "open", stored as something else.
    expect(cleanFormText('School \u202Enepo\u202C today')).toBe('School nepo today');
    expect(cleanFormText('\u202A\u202B\u202C\u202D\u202Ex\u2066\u2067\u2068\u2069')).toBe('x');
  });

  it('keeps the direction marks and joiners real text needs', () => {
    const hebrewWithMark = '\u05E9\u05DC\u05D5\u05DD\u200F (123)';
    expect(cleanFormText(hebrewWithMark)).toBe(hebrewWithMark);
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(cleanFormText(family)).toBe(family);
    const persian = '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645';
    expect(cleanFormText(persian)).toBe(persian);
  });

  it('counts a value made only of invisible characters as empty', () => {
    for (const value of [
      '\u200B', '\u200B\u200C\u200D', '\u2060', '\uFEFF', '\u200E\u200F', ' \u00A0\u3000 ', '\u202E\u202C',
      '\u3164', '\u115F\u1160', '\uFFA0', '\u2800', '\u00AD', '\uFE0F', '\u0000\u200B\n\t', '\r\n',
    ]) {
      expect(cleanFormText(value), JSON.stringify(value)).toBe('');
    }
  });

  it('keeps spaces around visible text for the form’s own validation to trim', () => {
    expect(cleanFormText('  Holmfirth  ')).toBe('  Holmfirth  ');
    expect(cleanFormText('\u200BHolmfirth')).toBe('\u200BHolmfirth');
  });

  it('is idempotent', () => {
    const messy = `\u202Ex\r\n${DECOMPOSED_E}\u0000\u200B`;
    expect(cleanFormText(cleanFormText(messy))).toBe(cleanFormText(messy));
  });
});

describe('what counts as invisible', () => {
  it('is nothing, whitespace and default-ignorable characters', () => {
    expect(isInvisible('')).toBe(true);
    expect(isInvisible('\u200B \uFEFF')).toBe(true);
    expect(isInvisible('.')).toBe(false);
    expect(isInvisible('\u200Ba')).toBe(false);
  });
});

describe('secret fields', () => {
  it('are passwords and one-time codes, not postcodes', () => {
    for (const name of ['password', 'current-password', 'new-password', 'confirm-password', 'new_password', 'current_password', 'code', 'disable-code']) {
      expect(isSecretField(name), name).toBe(true);
    }
    for (const name of ['postcode', 'name', 'note', 'how-known', 'email', 'barcode-ish']) expect(isSecretField(name), name).toBe(false);
  });
});

function formOf(entries: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  return form;
}

describe('cleaning a whole form', () => {
  it('cleans every text value, keeping repeated fields and their order', () => {
    const result = cleanFormData(formOf([['name', `Ren${DECOMPOSED_E}e\u0000`], ['services', 'schools'], ['services', '\u200B'], ['note', 'a\r\nb']]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.form.entries()]).toEqual([['name', `Ren${COMPOSED_E}e`], ['services', 'schools'], ['services', ''], ['note', 'a\nb']]);
  });

  it('keeps passwords exactly as typed, even decomposed or with invisible characters', () => {
    const password = `  p${DECOMPOSED_E}ss\u200B\u202Eword\r\n`;
    const result = cleanFormData(formOf([['password', password], ['new-password', '\u200B'], ['code', ' 123 456 ']]));
    expect(result.ok && [...result.form.entries()]).toEqual([['password', password], ['new-password', '\u200B'], ['code', ' 123 456 ']]);
  });

  it('refuses a password holding NUL, naming the field', () => {
    expect(cleanFormData(formOf([['email', 'a@example.org'], ['password', 'abc\u0000def']]))).toEqual({ ok: false, field: 'password' });
  });

  it('keeps uploaded files as they are', () => {
    const form = new FormData();
    form.append('file', new File(['\u0000'], 'a.txt'));
    const result = cleanFormData(form);
    expect(result.ok && result.form.get('file')).toBeInstanceOf(File);
  });
});

const post = (body: string, type = 'application/x-www-form-urlencoded') =>
  new Request('http://localhost/x', { method: 'POST', headers: { 'content-type': type }, body });

describe('the form readers', () => {
  it('readForm gives cleaned text', async () => {
    const form = await readForm(post('name=Caf%65%CC%81%00&how-known=%E2%80%8B%E2%80%8D&body=%E2%80%AEx'));
    expect(form.get('name')).toBe(`Caf${COMPOSED_E}`);
    expect(form.get('how-known')).toBe('');
    expect(form.get('body')).toBe('x');
  });

  it('readLimitedForm gives cleaned text', async () => {
    const read = await readLimitedForm(post('note=one%0D%0Atwo%01'), 1024);
    expect(read.ok && read.form.get('note')).toBe('one\ntwo');
  });

  it('reads invalid UTF-8 as replacement characters, not a crash', async () => {
    const form = await readForm(post('name=%C3%28%FF'));
    expect(form.get('name')).toBe('\uFFFD(\uFFFD');
  });

  it('answers 400 for a password holding NUL', async () => {
    await expect(readForm(post('email=a%40example.org&password=a%00b'))).rejects.toBeInstanceOf(BadRequestError);
    await expect(readLimitedForm(post('password=a%00b'), 1024)).rejects.toBeInstanceOf(BadRequestError);
  });

  it('still answers 400 for a body that is not a form', async () => {
    await expect(readForm(post('{"name":"x"}', 'application/json'))).rejects.toBeInstanceOf(BadRequestError);
  });
});
