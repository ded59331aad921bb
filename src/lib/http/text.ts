// Text hygiene for everything people type into a form, in one place: src/lib/http/forms.ts runs
// every posted value through cleanFormText, so each form's validation sees tidy text and no
// form has to remember to. What it does, and why:
//
// - Unicode NFC: "é" typed as e + combining accent and "é" as one character are the same text,
//   so they compare, search, count towards length limits and store the same.
// - Line breaks are "\n": browsers send a textarea's line breaks as CRLF.
// - Control characters (C0, DEL, C1: NUL, backspace, escape, …) are removed, except tab and line
//   feed. They have no place in anything a person types, and NUL in particular truncates text in
//   C libraries, logs and some databases.
// - Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed
//   everywhere: they make text display in an order other than the one it is stored in (the
//   "Trojan Source" trick), so a reviewer could approve something that reads differently once
//   published. Right-to-left text still displays correctly without them; the invisible marks
//   LRM, RLM and ALM, which are enough in plain text, are kept.
// - A value made only of whitespace and invisible characters (zero-width spaces and joiners,
//   word joiner, byte-order mark, direction marks, Hangul fillers, variation selectors — every
//   Default_Ignorable_Code_Point — and the blank Braille pattern) is empty, so "required" means
//   something a person can see. Zero-width joiners inside real text (emoji, Indic and Persian
//   scripts need them) are kept.
//
// Secrets (passwords and one-time codes) are compared or hashed as typed, so they are not
// changed at all: a value containing NUL is refused instead (see isSecretField).

/** Control characters other than tab and line feed (carriage returns are handled first). */
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Embeddings, overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** What a person cannot see: whitespace, default-ignorable code points, the blank Braille cell. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * A form field's text, tidied: NFC, LF line breaks, no control characters, no bidirectional
 * overrides, and '' when nothing visible is left. Spaces around visible text are left for each
 * form's validation to trim, so a form with errors shows the text back as it was typed.
 */
export function cleanFormText(value: string): string {
  const cleaned = value
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(BIDI_CONTROLS, '')
    .normalize('NFC');
  return isInvisible(cleaned) ? '' : cleaned;
}

/** True when a text has nothing a person could see (including when it is empty). */
export function isInvisible(value: string): boolean {
  return value.replace(INVISIBLE, '') === '';
}

/** Whether a text holds a NUL character. */
export function containsNul(value: string): boolean {
  return value.includes('\u0000');
}

/**
 * Fields whose exact characters matter: passwords (`password`, `current-password`,
 * `new-password`, `confirm-password`, `new_password`, …) and one-time codes (`code`,
 * `disable-code`). Their values are hashed or compared as typed, so hygiene must not change
 * them: normalising a password here would stop existing accounts whose password was hashed
 * from other bytes from signing in.
 */
export function isSecretField(name: string): boolean {
  return /password|passcode|(?:^|[-_])code$/i.test(name);
}

export type CleanedForm = { ok: true; form: FormData } | { ok: false; field: string };

/**
 * A copy of a form with every text value cleaned (files are kept as they are). A secret field
 * is kept byte for byte, but one holding NUL makes the whole form unreadable: `{ ok: false }`
 * names the field.
 */
export function cleanFormData(form: FormData): CleanedForm {
  const cleaned = new FormData();
  for (const [name, value] of form) {
    if (typeof value !== 'string') {
      cleaned.append(name, value);
    } else if (isSecretField(name)) {
      if (containsNul(value)) return { ok: false, field: name };
      cleaned.append(name, value);
    } else {
      cleaned.append(name, cleanFormText(value));
    }
  }
  return { ok: true, form: cleaned };
}
