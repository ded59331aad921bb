// applyProposal: a resident's proposal laid onto content that may have changed since they saw it.
// Only what the resident changed is taken; everything published meanwhile stays.
import { describe, expect, it } from 'vitest';
import type { AlertContent, PlaceContent } from '../../../src/lib/revisions/content.ts';
import { applyProposal } from '../../../src/lib/suggestions/service.ts';

const place = (overrides: Partial<PlaceContent> = {}): PlaceContent => ({
  serviceId: 1, slug: 'hill-top-primary', identifier: '107000', name: 'Hill Top Primary', category: 'Primary',
  address: '1 Hill Top', postcode: 'HD1 1AA', ward: 'Almondbury', latitude: 53.6, longitude: -1.7,
  status: 'open', noteMarkdown: '', noteHtml: '', statusFrom: null, statusUntil: null, confirmedAt: null, retired: false,
  ...overrides,
});

const alert = (overrides: Partial<AlertContent> = {}): AlertContent => ({
  severity: 'warning', headline: 'Snow expected overnight', bodyMarkdown: 'Gritters are out.', bodyHtml: '<p>Gritters are out.</p>',
  area: 'Kirklees', serviceSlugs: ['roads-and-gritting'], startsAt: '2026-11-21T06:00:00.000Z', expiresAt: null, retired: false,
  ...overrides,
});

describe('applyProposal', () => {
  it('gives the proposal itself when nothing changed since the resident looked', () => {
    const base = place();
    const proposal = place({ status: 'closed', noteMarkdown: 'Sign on the door' });
    expect(applyProposal(base, proposal, base)).toEqual(proposal);
  });

  it('keeps a change published meanwhile to a field the resident did not touch', () => {
    const base = place();
    const proposal = place({ status: 'closed' });
    const current = place({ address: '2 Hill Top Lane' });
    expect(applyProposal(base, proposal, current)).toEqual(place({ status: 'closed', address: '2 Hill Top Lane' }));
  });

  it('takes the resident’s value for a field they changed, even if it changed meanwhile too', () => {
    const base = place({ noteMarkdown: 'Open as usual' });
    const proposal = place({ noteMarkdown: 'Closed: pipes burst' });
    const current = place({ noteMarkdown: 'Open, but the car park is icy' });
    expect(applyProposal(base, proposal, current).noteMarkdown).toBe('Closed: pipes burst');
  });

  it('does not undo a change published meanwhile by copying back the resident’s stale value', () => {
    const base = place({ status: 'open' });
    const proposal = place({ status: 'open', noteMarkdown: 'Gates are open' });
    const current = place({ status: 'closed' });
    const merged = applyProposal(base, proposal, current);
    expect(merged.status).toBe('closed');
    expect(merged.noteMarkdown).toBe('Gates are open');
  });

  it('compares lists and nulls by value, not by identity', () => {
    const base = alert({ serviceSlugs: ['schools'] });
    const proposal = alert({ serviceSlugs: ['schools'], bodyMarkdown: 'Gritters are out on the A62.' });
    const current = alert({ serviceSlugs: ['schools', 'roads-and-gritting'], expiresAt: '2026-11-21T18:00:00.000Z' });
    const merged = applyProposal(base, proposal, current);
    expect(merged.serviceSlugs).toEqual(['schools', 'roads-and-gritting']);
    expect(merged.expiresAt).toBe('2026-11-21T18:00:00.000Z');
    expect(merged.bodyMarkdown).toBe('Gritters are out on the A62.');
  });

  it('takes a field the resident cleared (set to null)', () => {
    const base = place({ statusUntil: '2026-11-21T15:00:00.000Z' });
    const proposal = place({ statusUntil: null, status: 'closed' });
    const current = place({ statusUntil: '2026-11-21T15:00:00.000Z', ward: 'Dalton' });
    const merged = applyProposal(base, proposal, current);
    expect(merged.statusUntil).toBeNull();
    expect(merged.ward).toBe('Dalton');
  });

  it('gives the proposal as it is for something new (no base, no current version)', () => {
    const proposal = place({ name: 'New Village Hall' });
    expect(applyProposal(null, proposal, null)).toBe(proposal);
    expect(applyProposal(place(), proposal, null)).toBe(proposal);
    expect(applyProposal(null, proposal, place())).toBe(proposal);
  });

  it('never changes its arguments', () => {
    const base = place();
    const proposal = place({ status: 'closed' });
    const current = place({ address: '2 Hill Top Lane' });
    const copies = JSON.stringify([base, proposal, current]);
    applyProposal(base, proposal, current);
    expect(JSON.stringify([base, proposal, current])).toBe(copies);
  });
});
