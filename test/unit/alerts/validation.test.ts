import { describe, expect, it } from 'vitest';
import {
  alertFormValuesFrom,
  newAlertFormValues,
  parseAlertForm,
  prefilledAlertFormValues,
  readAlertForm,
  type AlertFormValues,
} from '../../../src/lib/alerts/validation.ts';

const SERVICES = ['schools', 'roads-and-gritting', 'waste-and-recycling'];
const now = new Date('2026-11-21T07:00:00Z');

function valid(overrides: Partial<AlertFormValues> = {}): AlertFormValues {
  return {
    severity: 'warning',
    headline: 'Holmfirth schools closed',
    body: 'Because of **snow**.',
    area: 'Holme Valley',
    services: ['schools'],
    starts: '2026-11-21T07:30',
    expires: '2026-11-21T18:00',
    editSummary: 'New alert',
    ...overrides,
  };
}

const fieldsOf = (result: ReturnType<typeof parseAlertForm>) => (result.ok ? [] : result.issues.map((i) => i.field));
const messageFor = (result: ReturnType<typeof parseAlertForm>, field: string) => (result.ok ? undefined : result.issues.find((i) => i.field === field)?.message);

describe('the alert form', () => {
  it('turns a complete form into a draft with UTC times', () => {
    const result = parseAlertForm(valid(), SERVICES);
    expect(result).toEqual({
      ok: true,
      summary: 'New alert',
      draft: {
        severity: 'warning',
        headline: 'Holmfirth schools closed',
        bodyMarkdown: 'Because of **snow**.',
        area: 'Holme Valley',
        serviceSlugs: ['schools'],
        startsAt: '2026-11-21T07:30:00.000Z',
        expiresAt: '2026-11-21T18:00:00.000Z',
        retired: false,
      },
    });
  });

  it('reads summer times as British Summer Time', () => {
    const result = parseAlertForm(valid({ starts: '2026-07-01T09:00', expires: '' }), SERVICES);
    expect(result.ok && result.draft.startsAt).toBe('2026-07-01T08:00:00.000Z');
  });

  it('trims spaces and leaves an alert with no end until it is withdrawn', () => {
    const result = parseAlertForm(valid({ headline: '  Roads gritted  ', expires: ' ' }), SERVICES);
    expect(result.ok && result.draft.headline).toBe('Roads gritted');
    expect(result.ok && result.draft.expiresAt).toBeNull();
  });

  it('asks for a headline', () => {
    expect(messageFor(parseAlertForm(valid({ headline: '   ' }), SERVICES), 'headline')).toBe('Enter a headline');
  });

  it('limits the headline to 120 characters', () => {
    expect(parseAlertForm(valid({ headline: 'a'.repeat(120) }), SERVICES).ok).toBe(true);
    expect(messageFor(parseAlertForm(valid({ headline: 'a'.repeat(121) }), SERVICES), 'headline')).toBe('Headline must be 120 characters or fewer');
  });

  it('limits the details to 5,000 characters and the area to 120', () => {
    const result = parseAlertForm(valid({ body: 'a'.repeat(5_001), area: 'a'.repeat(121) }), SERVICES);
    expect(fieldsOf(result)).toEqual(['body', 'area']);
  });

  it('accepts only the three severities', () => {
    for (const severity of ['info', 'warning', 'severe']) expect(parseAlertForm(valid({ severity }), SERVICES).ok).toBe(true);
    expect(messageFor(parseAlertForm(valid({ severity: 'panic' }), SERVICES), 'severity')).toBe('Select how serious the alert is');
    expect(fieldsOf(parseAlertForm(valid({ severity: '' }), SERVICES))).toEqual(['severity']);
  });

  it('refuses a service that does not exist', () => {
    expect(messageFor(parseAlertForm(valid({ services: ['schools', 'zoos'] }), SERVICES), 'services')).toBe('Select services from the list');
  });

  it('keeps services in the order they are listed, once each', () => {
    const result = parseAlertForm(valid({ services: ['waste-and-recycling', 'schools', 'schools'] }), SERVICES);
    expect(result.ok && result.draft.serviceSlugs).toEqual(['schools', 'waste-and-recycling']);
  });

  it('asks when the alert starts and refuses times that are not real', () => {
    expect(messageFor(parseAlertForm(valid({ starts: '' }), SERVICES), 'starts')).toBe('Enter when the alert starts');
    expect(fieldsOf(parseAlertForm(valid({ starts: '2026-02-30T09:00' }), SERVICES))).toEqual(['starts']);
    expect(fieldsOf(parseAlertForm(valid({ expires: 'soon' }), SERVICES))).toEqual(['expires']);
  });

  it('refuses an end at or before the start', () => {
    const before = parseAlertForm(valid({ starts: '2026-11-21T10:00', expires: '2026-11-21T09:00' }), SERVICES);
    expect(messageFor(before, 'expires')).toBe('Expiry must be after the start');
    expect(fieldsOf(parseAlertForm(valid({ starts: '2026-11-21T10:00', expires: '2026-11-21T10:00' }), SERVICES))).toEqual(['expires']);
  });

  it('reports every problem at once, in the order of the form', () => {
    const result = parseAlertForm(valid({ headline: '', services: ['zoos'], starts: '2026-11-21T10:00', expires: '2026-11-21T09:00', editSummary: '' }), SERVICES);
    expect(fieldsOf(result)).toEqual(['headline', 'services', 'expires', 'editSummary']);
  });

  it('asks for a summary of the change, up to 200 characters', () => {
    expect(messageFor(parseAlertForm(valid({ editSummary: '' }), SERVICES), 'editSummary')).toBe('Enter a summary of your change');
    expect(fieldsOf(parseAlertForm(valid({ editSummary: 'a'.repeat(201) }), SERVICES))).toEqual(['editSummary']);
  });

  it('carries the withdrawn state of the version being edited', () => {
    const result = parseAlertForm(valid(), SERVICES, true);
    expect(result.ok && result.draft.retired).toBe(true);
  });
});

describe('filling in the alert form', () => {
  it('starts a new alert now, as information', () => {
    expect(newAlertFormValues(now)).toMatchObject({ severity: 'info', headline: '', starts: '2026-11-21T07:00', expires: '' });
  });

  it('takes values from a link, ticking every service named', () => {
    const params = new URLSearchParams({ headline: 'Calderdale schools closed', body: 'From their site', severity: 'warning', area: 'Calder Valley', services: 'schools,roads-and-gritting' });
    expect(prefilledAlertFormValues(params, now)).toMatchObject({
      severity: 'warning',
      headline: 'Calderdale schools closed',
      body: 'From their site',
      area: 'Calder Valley',
      services: ['schools', 'roads-and-gritting'],
      starts: '2026-11-21T07:00',
    });
  });

  it('ignores a severity from a link that is not one of ours', () => {
    expect(prefilledAlertFormValues(new URLSearchParams({ severity: 'extreme' }), now).severity).toBe('info');
  });

  it('reads repeated services from a posted form', () => {
    const form = new FormData();
    form.append('services', 'schools');
    form.append('services', 'waste-and-recycling');
    form.append('headline', 'x');
    expect(readAlertForm(form)).toMatchObject({ services: ['schools', 'waste-and-recycling'], headline: 'x', body: '' });
  });

  it('shows a published alert in London time, with an empty summary of the change', () => {
    const values = alertFormValuesFrom({
      severity: 'severe', headline: 'Flooding', bodyMarkdown: 'Avoid the A62', bodyHtml: '', area: '', serviceSlugs: ['roads-and-gritting'],
      startsAt: '2026-07-01T06:30:00.000Z', expiresAt: null, retired: false,
    });
    expect(values).toEqual({ severity: 'severe', headline: 'Flooding', body: 'Avoid the A62', area: '', services: ['roads-and-gritting'], starts: '2026-07-01T07:30', expires: '', editSummary: '' });
  });
});
