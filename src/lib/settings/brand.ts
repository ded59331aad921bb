// The council's brand colour on public pages. The site's Content-Security-Policy allows only
// its own stylesheets (no inline styles), so the colour is a tiny stylesheet whose address holds
// the colour itself (/brand/00526c.css): the same address always has the same bytes, so it is
// cached for a year, and a new colour is a new address on the next page rendered.
import { contrastWithWhite, MINIMUM_CONTRAST, parseHexColour } from './contrast.ts';

/** The site's own header colour, used when the council has not set one. */
export const DEFAULT_BRAND_COLOUR = '#00526c';

/** The stylesheet's address for a saved brand colour, or null for the site's own colour. */
export function brandStylesheetPath(brandColour: string | undefined): string | null {
  return brandColour ? `/brand/${brandColour.slice(1)}.css` : null;
}

/** The stylesheet for `/brand/<hex>.css`, or null (a 404) for anything but a colour a council could save. */
export function brandStylesheet(param: string | undefined): string | null {
  if (!param?.endsWith('.css')) return null;
  const hex = `#${param.slice(0, -'.css'.length)}`;
  const rgb = /^#[0-9a-f]{6}$/.test(hex) ? parseHexColour(hex) : null;
  if (!rgb || contrastWithWhite(rgb) < MINIMUM_CONTRAST) return null;
  return `.govuk-generic-header{background-color:${hex}}\n`;
}
