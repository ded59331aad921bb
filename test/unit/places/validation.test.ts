// The place forms' rules: what staff may type, and the messages they see when it is wrong.
import { describe, expect, it } from 'vitest';
import {
  parseBulkStatus,
  parsePlaceDetails,
  parsePlaceEdit,
  parseStatusChange,
  readFormValues,
  slugFromName,
  type FormValues,
} from '../../../src/lib/places/validation.ts';

const status = (overrides: FormValues = {}): FormValues => ({ status: 'closed', note: '', 'status-from': '', 'status-until': '', ...overrides });
const details = (overrides: FormValues = {}): FormValues => ({
  name: 'Almondbury Junior School', category: 'Junior', address: 'Fernside Avenue', postcode: 'HD5 3EE', ward: 'Almondbury',
  identifier: '116898', latitude: '53.62346', longitude: '-1.72624', ...overrides,
});
const bulk = (overrides: FormValues = {}): FormValues => ({
  'bulk-status': 'closed', 'bulk-note': 'Snow', 'bulk-until': '', 'bulk-summary': 'Closed because of snow', ...overrides,
});
const issuesOf = (result: { ok: boolean; issues?: unknown }) => (result.ok ? [] : (result as { issues: { field: string; message: string }[] }).issues);
const now = new Date('2026-11-21T07:00:00Z');

describe('the status part of the place form', () => {
  it('accepts every one of the seven statuses', () => {
    for (const s of ['open', 'closed', 'partially_open', 'opening_late', 'closing_early', 'disrupted', 'unknown']) {
      expect(parseStatusChange(status({ status: s })).ok).toBe(true);
    }
  });

  it('asks for a status when none or an unknown one is sent', () => {
    expect(issuesOf(parseStatusChange(status({ status: '' })))).toEqual([{ field: 'status', message: 'Choose a status' }]);
    expect(issuesOf(parseStatusChange(status({ status: 'shut' })))).toEqual([{ field: 'status', message: 'Choose a status' }]);
  });

  it('keeps the note as markdown, trimmed, up to 1,000 characters', () => {
    const result = parseStatusChange(status({ note: '  Closed because of **snow**  ' }));
    expect(result).toMatchObject({ ok: true, value: { noteMarkdown: 'Closed because of **snow**' } });
    expect(parseStatusChange(status({ note: 'x'.repeat(1000) })).ok).toBe(true);
    expect(issuesOf(parseStatusChange(status({ note: 'x'.repeat(1001) })))).toEqual([{ field: 'note', message: 'Note must be 1,000 characters or fewer' }]);
  });

  it('reads the period as London time and stores it as UTC', () => {
    const winter = parseStatusChange(status({ 'status-from': '2026-11-21T07:30', 'status-until': '2026-11-21T23:59' }));
    expect(winter).toMatchObject({ ok: true, value: { statusFrom: '2026-11-21T07:30:00.000Z', statusUntil: '2026-11-21T23:59:00.000Z' } });
    const summer = parseStatusChange(status({ 'status-until': '2026-07-01T16:00' }));
    expect(summer).toMatchObject({ ok: true, value: { statusFrom: null, statusUntil: '2026-07-01T15:00:00.000Z' } });
  });

  it('refuses a date that is not real', () => {
    expect(issuesOf(parseStatusChange(status({ 'status-until': '2026-02-30T09:00' }))).map((i) => i.field)).toEqual(['status-until']);
    expect(issuesOf(parseStatusChange(status({ 'status-from': 'tomorrow' }))).map((i) => i.field)).toEqual(['status-from']);
  });

  it('requires ‘until’ to be later than ‘from’', () => {
    expect(issuesOf(parseStatusChange(status({ 'status-from': '2026-11-21T12:00', 'status-until': '2026-11-21T09:00' })))).toEqual([
      { field: 'status-until', message: '‘Until’ must be later than ‘from’' },
    ]);
    expect(parseStatusChange(status({ 'status-from': '2026-11-21T12:00', 'status-until': '2026-11-21T12:00' })).ok).toBe(false);
  });
});

describe('the details part of the place form', () => {
  it('accepts a complete school', () => {
    expect(parsePlaceDetails(details())).toEqual({
      ok: true,
      value: {
        name: 'Almondbury Junior School', category: 'Junior', address: 'Fernside Avenue', postcode: 'HD5 3EE', ward: 'Almondbury',
        identifier: '116898', latitude: 53.62346, longitude: -1.72624, phone: null, website: null,
      },
    });
  });

  it('needs a name, and not a very long one', () => {
    expect(issuesOf(parsePlaceDetails(details({ name: '   ' })))).toEqual([{ field: 'name', message: 'Enter a name' }]);
    expect(issuesOf(parsePlaceDetails(details({ name: 'x'.repeat(121) })))).toEqual([{ field: 'name', message: 'Name must be 120 characters or fewer' }]);
  });

  it('tidies a postcode and refuses one that cannot be real', () => {
    expect(parsePlaceDetails(details({ postcode: ' hd53ee ' }))).toMatchObject({ ok: true, value: { postcode: 'HD5 3EE' } });
    expect(parsePlaceDetails(details({ postcode: 'wf12  8ga' }))).toMatchObject({ ok: true, value: { postcode: 'WF12 8GA' } });
    expect(parsePlaceDetails(details({ postcode: '' }))).toMatchObject({ ok: true, value: { postcode: '' } });
    expect(issuesOf(parsePlaceDetails(details({ postcode: 'HUDDERSFIELD' })))).toEqual([{ field: 'postcode', message: 'Enter a real postcode, like HD1 2TA' }]);
  });

  it('treats an empty reference number as none, and refuses odd characters', () => {
    expect(parsePlaceDetails(details({ identifier: '' }))).toMatchObject({ ok: true, value: { identifier: null } });
    expect(issuesOf(parsePlaceDetails(details({ identifier: '11<6>' }))).map((i) => i.field)).toEqual(['identifier']);
  });

  it('keeps coordinates in the UK, catching latitude and longitude typed the wrong way round', () => {
    expect(issuesOf(parsePlaceDetails(details({ latitude: '-1.72624', longitude: '53.62346' }))).map((i) => i.field)).toEqual(['latitude', 'longitude']);
    expect(issuesOf(parsePlaceDetails(details({ latitude: 'north' })))).toEqual([
      { field: 'latitude', message: 'Latitude must be a number in decimal degrees, like 53.6458' },
    ]);
    expect(issuesOf(parsePlaceDetails(details({ longitude: '120' })))).toEqual([
      { field: 'longitude', message: 'Longitude must be between -8.7 and 2 (a place in the UK)' },
    ]);
  });

  it('needs both coordinates or neither', () => {
    expect(parsePlaceDetails(details({ latitude: '', longitude: '' }))).toMatchObject({ ok: true, value: { latitude: null, longitude: null } });
    expect(issuesOf(parsePlaceDetails(details({ longitude: '' })))).toEqual([
      { field: 'longitude', message: 'Enter a longitude as well as a latitude, or neither' },
    ]);
  });
});

describe('the whole edit form', () => {
  it('needs a summary of the changes, 200 characters at most', () => {
    expect(issuesOf(parsePlaceEdit({ ...status(), summary: '' }, { details: false }))).toEqual([{ field: 'summary', message: 'Enter a summary of your changes' }]);
    expect(issuesOf(parsePlaceEdit({ ...status(), summary: 'x'.repeat(201) }, { details: false }))).toEqual([
      { field: 'summary', message: 'Summary of changes must be 200 characters or fewer' },
    ]);
  });

  it('lets the summary be left out when adding a place', () => {
    expect(parsePlaceEdit({ ...status(), ...details(), summary: '' }, { details: true, summaryRequired: false })).toMatchObject({ ok: true, value: { summary: '' } });
  });

  it('reports every problem at once, in the order of the form', () => {
    const result = parsePlaceEdit({ ...status({ status: '', note: 'x'.repeat(1001) }), ...details({ name: '', postcode: 'nope' }), summary: '' }, { details: true });
    expect(issuesOf(result).map((i) => i.field)).toEqual(['status', 'note', 'name', 'postcode', 'summary']);
  });

  it('ignores the details when the person may not change them', () => {
    const result = parsePlaceEdit({ ...status(), ...details({ name: '' }), summary: 'Closed' }, { details: false });
    expect(result).toMatchObject({ ok: true, value: { details: null, status: { status: 'closed' } } });
  });

  it('reads the fields of a posted form as strings', () => {
    const form = new FormData();
    form.set('status', 'open');
    form.set('file', new Blob(['x']));
    expect(readFormValues(form, ['status', 'note', 'file'])).toEqual({ status: 'open', note: '', file: '' });
  });
});

describe('the bulk status form', () => {
  it('gives the ticked places one status, note, until and summary', () => {
    const result = parseBulkStatus(bulk({ 'bulk-until': '2026-11-21T23:59' }), ['3', '5', '3'], now);
    expect(result).toEqual({
      ok: true,
      value: { placeIds: [3, 5], status: 'closed', noteMarkdown: 'Snow', statusUntil: '2026-11-21T23:59:00.000Z', summary: 'Closed because of snow' },
    });
  });

  it('asks for at least one place', () => {
    expect(issuesOf(parseBulkStatus(bulk(), [], now))).toEqual([{ field: 'bulk-places', message: 'Select the places to update' }]);
    expect(issuesOf(parseBulkStatus(bulk(), ['x'], now)).map((i) => i.field)).toEqual(['bulk-places']);
  });

  it('needs a status and a summary, and an ‘until’ in the future', () => {
    const result = parseBulkStatus(bulk({ 'bulk-status': '', 'bulk-summary': '', 'bulk-until': '2026-11-20T09:00' }), ['1'], now);
    expect(issuesOf(result).map((i) => i.field)).toEqual(['bulk-status', 'bulk-summary']);
    expect(issuesOf(parseBulkStatus(bulk({ 'bulk-until': '2026-11-20T09:00' }), ['1'], now))).toEqual([
      { field: 'bulk-until', message: '‘Until’ must be in the future' },
    ]);
  });
});

describe('web addresses made from names', () => {
  it('uses lower-case words joined by hyphens', () => {
    expect(slugFromName("St Mary's C of E (VA) School")).toBe('st-marys-c-of-e-va-school');
    expect(slugFromName('Brontë  Café & Library')).toBe('bronte-cafe-and-library');
  });

  it('is empty when the name has no letters or digits', () => {
    expect(slugFromName('!!!')).toBe('');
  });

  it('is at most 80 characters and never ends with a hyphen', () => {
    const slug = slugFromName(`${'a'.repeat(79)} b`);
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug.endsWith('-')).toBe(false);
  });
});
