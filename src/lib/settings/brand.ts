// The council's brand on public pages: its header colour and its logo. The site's
// Content-Security-Policy allows only its own stylesheets and images (no inline styles), so
// each is a small file whose address names its content — /brand/00526c.css holds the colour
// itself, /brand/logo-<hash>.png the logo's SHA-256 — so an address always has the same bytes,
// is cached for a year, and a change is a new address on the next page rendered.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { contrastWithWhite, MINIMUM_CONTRAST, parseHexColour } from './contrast.ts';

/** The site's own header colour, used when the council has not set one. */
export const DEFAULT_BRAND_COLOUR = '#00526c';

/** The largest logo accepted: a header logo is a few kilobytes; this leaves room for a detailed one. */
export const LOGO_MAX_BYTES = 100 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The stylesheet's address for a saved brand colour, or null for the site's own colour. */
export function brandStylesheetPath(brandColour: string | undefined): string | null {
  return brandColour ? `/brand/${brandColour.slice(1)}.css` : null;
}

/** The header stylesheet for a colour a council could save, or null. */
export function brandStylesheet(hexWithoutHash: string): string | null {
  const hex = `#${hexWithoutHash}`;
  const rgb = /^#[0-9a-f]{6}$/.test(hex) ? parseHexColour(hex) : null;
  if (!rgb || contrastWithWhite(rgb) < MINIMUM_CONTRAST) return null;
  return `.govuk-generic-header{background-color:${hex}}\n`;
}

/** Whether the bytes are a PNG image (by its signature: the only logo format accepted, see logoProblem). */
export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * What is wrong with an uploaded logo, or null. Only PNG: an SVG is a document that can carry
 * script when opened directly, and a photo format is the wrong tool for a logo.
 */
export function logoProblem(bytes: Uint8Array): string | null {
  if (bytes.byteLength > LOGO_MAX_BYTES) return `The logo must be smaller than ${LOGO_MAX_BYTES / 1024} KB`;
  if (!isPng(bytes)) return 'The logo must be a PNG image';
  return null;
}

/** Where a logo's bytes are kept (the settings table) and the address that serves them. */
export function logoAddress(bytes: Uint8Array): { key: string; path: string } {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  return { key: `logo:${hash}`, path: `/brand/logo-${hash}.png` };
}

/** The statement that keeps a logo's bytes (kept for good: old revisions of the council name them). */
export function saveLogoStatement(db: Database, bytes: Uint8Array, at: Date) {
  const { key } = logoAddress(bytes);
  return db.insert(settings).values({ key, value: Buffer.from(bytes).toString('base64'), updatedAt: at }).onConflictDoNothing();
}

/** The body and type of /brand/<file>, or null for a 404. */
export async function loadBrandFile(file: string | undefined): Promise<{ body: Uint8Array<ArrayBuffer> | string; type: string } | null> {
  const colour = /^([0-9a-f]{6})\.css$/.exec(file ?? '');
  if (colour) {
    const css = brandStylesheet(colour[1]!);
    return css === null ? null : { body: css, type: 'text/css; charset=utf-8' };
  }
  const logo = /^logo-([0-9a-f]{32})\.png$/.exec(file ?? '');
  if (!logo) return null;
  const [row] = await (await getDb()).select({ value: settings.value }).from(settings).where(eq(settings.key, `logo:${logo[1]}`));
  return typeof row?.value === 'string' ? { body: new Uint8Array(Buffer.from(row.value, 'base64')), type: 'image/png' } : null;
}
