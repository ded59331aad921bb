// Colour contrast as WCAG 2.2 defines it (success criterion 1.4.3, "Contrast (Minimum)"): the
// relative luminance of each sRGB colour and the ratio (L1 + 0.05) / (L2 + 0.05). Pure. The
// council's brand colour is the header's background behind white text, so it must reach 4.5:1
// against white, the level AA asks of normal-size text.

/** The level AA ratio for normal text. */
export const MINIMUM_CONTRAST = 4.5;

/** "#1d70b8" → [29, 112, 184]; null when it is not a six-digit hex colour. */
export function parseHexColour(value: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value.trim());
  if (!match) return null;
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** WCAG relative luminance of an sRGB colour (0 black … 1 white). */
export function relativeLuminance([r, g, b]: readonly [number, number, number]): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** The contrast ratio of two colours, from 1 (the same) to 21 (black on white). */
export function contrastRatio(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const WHITE = [255, 255, 255] as const;

/** The brand colour's contrast with the header's white text. */
export function contrastWithWhite(colour: readonly [number, number, number]): number {
  return contrastRatio(colour, WHITE);
}
