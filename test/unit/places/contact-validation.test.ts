// A place's own phone number and website on the staff place form: what is accepted, how it is
// kept, and what staff are told when it is wrong.
import { describe, expect, it } from 'vitest';
import { phoneHref, websiteLabel } from '../../../src/lib/places/service.ts';
import { parsePlaceDetails, PHONE_MESSAGE, type FormValues } from '../../../src/lib/places/validation.ts';

const details = (overrides: FormValues = {}): FormValues => ({
  name: 'Colne Valley High School', category: 'Secondary', address: 'Gorsey Lane', postcode: 'HD7 5PT', ward: 'Colne Valley',
  identifier: '140605', latitude: '', longitude: '', phone: '', website: '', ...overrides,
});
const parsed = (overrides: FormValues) => parsePlaceDetails(details(overrides));
const issues = (overrides: FormValues) => {
  const result = parsed(overrides);
  return result.ok ? [] : result.issues;
};

describe('a place’s phone number', () => {
  it('is optional: blank means none', () => {
    expect(parsed({ phone: '   ' })).toMatchObject({ ok: true, value: { phone: null } });
  });

  it('accepts UK numbers as people write them, with runs of spaces made one', () => {
    for (const phone of ['01484 221000', '01484221000', '0113 496 0104', '0800 123 4567', '07700 900123', '+44 1484 221000', '+441484221000']) {
      expect(parsed({ phone }), phone).toMatchObject({ ok: true, value: { phone } });
    }
    expect(parsed({ phone: '  01484   221000 ' })).toMatchObject({ ok: true, value: { phone: '01484 221000' } });
  });

  it('refuses anything but digits, spaces and a leading +, and numbers that are not UK numbers', () => {
    for (const phone of ['01484-221000', '(01484) 221000', '01484 221000 ext 2', 'call the office', '+33 1 23 45 67 89', '12345', '01484 2210001234', '0 1484', '+', '0044 1484 221000', '01484+221000']) {
      expect(issues({ phone }), phone).toEqual([{ field: 'phone', message: PHONE_MESSAGE }]);
    }
  });

  it('becomes a tel: link of its digits', () => {
    expect(phoneHref('01484 221000')).toBe('tel:01484221000');
    expect(phoneHref('+44 1484 221000')).toBe('tel:+441484221000');
  });
});

describe('a place’s website', () => {
  it('is optional: blank means none', () => {
    expect(parsed({ website: '' })).toMatchObject({ ok: true, value: { website: null } });
  });

  it('accepts full http and https addresses, kept as typed', () => {
    for (const website of ['https://www.colne-valley-high.example', 'http://school.example/contact?x=1', 'https://www.example.sch.uk/']) {
      expect(parsed({ website }), website).toMatchObject({ ok: true, value: { website } });
    }
    expect(parsed({ website: '  https://school.example  ' })).toMatchObject({ ok: true, value: { website: 'https://school.example' } });
  });

  it('refuses other kinds of link, addresses without https://, and user names in addresses', () => {
    for (const website of ['javascript:alert(1)', 'data:text/html,hi', 'ftp://school.example', 'mailto:office@school.example', 'www.school.example', 'school', 'https://localhost', 'https://trusted.example@evil.example', 'https://school .example']) {
      const found = issues({ website });
      expect(found.map((i) => i.field), website).toEqual(['website']);
      expect(found[0]!.message, website).toMatch(/http/);
    }
  });

  it('refuses an address over 200 characters', () => {
    expect(issues({ website: `https://school.example/${'a'.repeat(200)}` })).toEqual([{ field: 'website', message: 'Website must be 200 characters or fewer' }]);
  });

  it('shows as its address without https:// on the page', () => {
    expect(websiteLabel('https://www.colne-valley-high.example/')).toBe('www.colne-valley-high.example');
    expect(websiteLabel('http://school.example/contact')).toBe('school.example/contact');
  });
});

it('reports phone and website problems together, after the other details, in form order', () => {
  expect(issues({ name: '', website: 'nope', phone: 'nope' }).map((i) => i.field)).toEqual(['name', 'phone', 'website']);
});
