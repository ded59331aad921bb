// What a person typed into a form that could not be saved (the database was not answering), to
// show back on the 503 page so nothing is lost: text fields only, never secrets.

export interface UnsavedField {
  name: string;
  /** The field's name in words: "editSummary" → "Edit summary", "bulk-note" → "Bulk note". */
  label: string;
  value: string;
}

function labelFor(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Fields never shown back: passwords, one-time codes, keys and tokens, and the form's own
 * bookkeeping (the revision it was based on, which button was pressed).
 */
const NOT_SHOWN = /password|passcode|secret|token|csrf|(?:^|[-_])(?:code|key|otp|totp)$|^(?:base|action|confirm)$/i;
/** A form can be large (a page body); more than this is not echoed back. */
const MAX_FIELDS = 50;
const MAX_CHARS = 100_000;

/**
 * The text a POST carried, in form order, empty fields left out. Reads a clone (the route may
 * have read it already); a body that is not a form, or cannot be read, gives nothing.
 */
export async function readUnsavedFields(request: Request): Promise<UnsavedField[]> {
  if (request.method !== 'POST') return [];
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return [];
  let form: FormData;
  try {
    form = await request.clone().formData();
  } catch {
    return [];
  }
  const fields: UnsavedField[] = [];
  let chars = 0;
  for (const [name, value] of form) {
    if (typeof value !== 'string' || NOT_SHOWN.test(name) || value.trim() === '') continue;
    chars += value.length;
    if (fields.length >= MAX_FIELDS || chars > MAX_CHARS) break;
    fields.push({ name, label: labelFor(name), value });
  }
  return fields;
}
