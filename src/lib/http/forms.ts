// Reading form posts safely: the wrong content type or a malformed body is a 400, not a crash.
import { BadRequestError } from '../errors.ts';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * The posted form. Reads a clone, so the request body stays unread: if the route then throws
 * (403, 404), the middleware can still rewrite to the error page, which needs an unused body.
 */
export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) throw new BadRequestError('Send the form as application/x-www-form-urlencoded');
  try {
    return await request.clone().formData();
  } catch {
    throw new BadRequestError('The form could not be read');
  }
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
