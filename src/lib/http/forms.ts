// Reading form posts safely: the wrong content type or a malformed body is a 400, not a crash,
// and every text value comes out through the one text-hygiene pass (./text.ts), so each form
// gets NFC text without control characters or bidirectional overrides, and invisible-only
// values read as empty.
import { BadRequestError } from '../errors.ts';
import { cleanFormData } from './text.ts';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** The form with its text cleaned; a secret field holding NUL makes it unreadable (400). */
function cleaned(form: FormData): FormData {
  const result = cleanFormData(form);
  if (!result.ok) throw new BadRequestError(`The form field "${result.field}" holds a character that cannot be typed`);
  return result.form;
}

/**
 * The posted form, its text cleaned (./text.ts). Reads a clone, so the request body stays
 * unread: if the route then throws (403, 404), the middleware can still rewrite to the error
 * page, which needs an unused body.
 */
export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) throw new BadRequestError('Send the form as application/x-www-form-urlencoded');
  let form: FormData;
  try {
    form = await request.clone().formData();
  } catch {
    throw new BadRequestError('The form could not be read');
  }
  return cleaned(form);
}

/** A same-site /staff path to go to after signing in, or the dashboard. */
export function safeStaffPath(next: string | null | undefined): string {
  if (!next || !/^\/staff(?:[/?#]|$)/.test(next) || next.includes('//') || next.includes('\\')) return '/staff';
  return next;
}

/** Whether cookies must be Secure: the site is served over HTTPS. */
export function isSecureRequest(url: URL, siteUrl: string): boolean {
  return url.protocol === 'https:' || siteUrl.startsWith('https:');
}

/** The `base` hidden field of an edit form: the revision it was based on. Without one, the form was not sent by our page. */
export function readBaseRevision(form: FormData): number {
  const value = form.get('base');
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) throw new BadRequestError('The form is missing the version it was based on');
  return Number(value);
}

export type LimitedForm = { ok: true; form: FormData } | { ok: false; reason: 'too_large' };

/**
 * The posted form, refusing bodies over `maxBytes` — by the Content-Length a client declares
 * before anything is read, and by counting while reading, for bodies sent without one (chunked)
 * or with a false one. Public forms use this so nobody can make the server buffer megabytes.
 * Like readForm it reads a clone, cleans the text, and the wrong content type or a malformed
 * body is a 400.
 */
export async function readLimitedForm(request: Request, maxBytes: number): Promise<LimitedForm> {
  const contentType = request.headers.get('content-type') ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) throw new BadRequestError('Send the form as application/x-www-form-urlencoded');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: 'too_large' };
  const body = request.clone().body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          // Not awaited: a clone's cancel settles only once the original body is cancelled too.
          reader.cancel().catch(() => undefined);
          return { ok: false, reason: 'too_large' };
        }
        chunks.push(value);
      }
    } catch {
      throw new BadRequestError('The form could not be read');
    }
  }
  let form: FormData;
  try {
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new BadRequestError('The form could not be read');
  }
  return { ok: true, form: cleaned(form) };
}
