// WCAG 2.2 contrast: known ratios, and the council details form refusing a brand colour the
// white header text would fail on.
import { describe, expect, it } from 'vitest';
import { contrastRatio, contrastWithWhite, parseHexColour } from '../../../src/lib/settings/contrast.ts';
import { parseCouncilDetails } from '../../../src/lib/settings/validation.ts';

describe('contrast ratios', () => {
  it('gives 21 to 1 for black on white and 1 to 1 for a colour on itself', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([29, 112, 184], [29, 112, 184])).toBe(1);
  });

  it('puts #767676, the lightest grey that passes AA on white, just over 4.5', () => {
    expect(contrastWithWhite(parseHexColour('#767676')!)).toBeCloseTo(4.54, 2);
    expect(contrastWithWhite(parseHexColour('#777777')!)).toBeLessThan(4.5);
  });
});

describe('the brand colour on the council details form', () => {
  const details = { name: 'Kirklees Council', 'short-name': 'Kirklees', 'site-name': 'Kirklees service alerts', website: '', phone: '01484 221000', 'out-of-hours-phone': '' };

  it('accepts a dark enough colour, with or without its #, in lower case', () => {
    expect(parseCouncilDetails({ ...details, 'brand-colour': '00526C' })).toMatchObject({ ok: true, value: { brandColour: '#00526c' } });
    expect(parseCouncilDetails({ ...details, 'brand-colour': '#767676' })).toMatchObject({ ok: true, value: { brandColour: '#767676' } });
  });

  it('refuses one too light for white text, giving its contrast rounded down', () => {
    expect(parseCouncilDetails({ ...details, 'brand-colour': '#777777' })).toEqual({
      ok: false,
      issues: [{ field: 'brand-colour', message: 'The brand colour #777777 is too light for the white text on it: its contrast is 4.47 to 1 and must be at least 4.5 to 1. Choose a darker colour' }],
    });
  });

  it('refuses what is not a colour, and asks for the name and phone', () => {
    const result = parseCouncilDetails({ ...details, name: '', phone: '', 'brand-colour': 'blue' });
    expect(result.ok === false && result.issues.map((i) => i.field)).toEqual(['name', 'phone', 'brand-colour']);
  });
});
