// The review forms: the queue's filters, "Decline as spam", the decline reasons and the
// "Edit, then approve" form.
import { describe, expect, it } from 'vitest';
import {
  isEdited,
  parseDecline,
  parseQueueFilters,
  parseReviewEdit,
  parseTickedSuggestions,
} from '../../../src/lib/suggestions/review-validation.ts';

describe('the queue filters', () => {
  const slugs = ['schools', 'libraries'];

  it('reads a known service and kind', () => {
    expect(parseQueueFilters(new URLSearchParams('service=schools&kind=missing'), slugs)).toEqual({ filters: { service: 'schools', kind: 'missing' }, issues: [] });
  });

  it('treats blank filters as everything', () => {
    expect(parseQueueFilters(new URLSearchParams('service=&kind='), slugs)).toEqual({ filters: { service: null, kind: null }, issues: [] });
  });

  it('reports an unknown service or kind against its own input and ignores it', () => {
    const { filters, issues } = parseQueueFilters(new URLSearchParams('service=zoo&kind=rumour'), slugs);
    expect(filters).toEqual({ service: null, kind: null });
    expect(issues).toEqual([
      { field: 'filter-service', message: 'Choose a service from the list' },
      { field: 'filter-kind', message: 'Choose what the suggestions are about from the list' },
    ]);
  });
});

describe('decline as spam', () => {
  it('needs at least one ticked suggestion', () => {
    expect(parseTickedSuggestions([])).toEqual({ ok: false, issues: [{ field: 'suggestions', message: 'Select the suggestions to decline as spam' }] });
  });

  it('refuses anything but suggestion numbers', () => {
    expect(parseTickedSuggestions(['3', 'x']).ok).toBe(false);
    expect(parseTickedSuggestions(['0']).ok).toBe(false);
  });

  it('gives each ticked suggestion once', () => {
    expect(parseTickedSuggestions(['3', '5', '3'])).toEqual({ ok: true, value: [3, 5] });
  });
});

describe('the decline form', () => {
  it('records a standard reason by its label', () => {
    expect(parseDecline({ reason: 'already-up-to-date', 'reason-details': '' })).toEqual({ ok: true, value: 'Already up to date' });
    expect(parseDecline({ reason: 'not-council', 'reason-details': '' })).toEqual({ ok: true, value: 'Not about a council service' });
    expect(parseDecline({ reason: 'spam', 'reason-details': '' })).toEqual({ ok: true, value: 'Spam' });
  });

  it('adds the words of explanation to a standard reason', () => {
    expect(parseDecline({ reason: 'not-accurate', 'reason-details': '  The school phoned: it is open. ' })).toEqual({ ok: true, value: 'Not accurate: The school phoned: it is open.' });
  });

  it('needs a reason', () => {
    expect(parseDecline({ reason: '', 'reason-details': '' })).toEqual({ ok: false, issues: [{ field: 'reason', message: 'Select why you are declining this suggestion' }] });
    expect(parseDecline({ reason: 'because', 'reason-details': '' }).ok).toBe(false);
  });

  it('needs words for "Other", and records just them', () => {
    expect(parseDecline({ reason: 'other', 'reason-details': '  ' })).toEqual({ ok: false, issues: [{ field: 'reason-details', message: 'Enter why you are declining this suggestion' }] });
    expect(parseDecline({ reason: 'other', 'reason-details': 'Duplicate of an earlier report' })).toEqual({ ok: true, value: 'Duplicate of an earlier report' });
  });

  it('limits the explanation to 500 characters', () => {
    expect(parseDecline({ reason: 'other', 'reason-details': 'a'.repeat(500) }).ok).toBe(true);
    expect(parseDecline({ reason: 'other', 'reason-details': 'a'.repeat(501) })).toEqual({ ok: false, issues: [{ field: 'reason-details', message: 'Reason must be 500 characters or fewer' }] });
  });
});

describe('the "Edit, then approve" form', () => {
  it('reads a place’s status and note', () => {
    expect(parseReviewEdit('place-status', { status: 'closed', note: ' Sign on the door\r\nback Monday ' })).toEqual({
      ok: true,
      value: { form: 'place-status', status: 'closed', noteMarkdown: 'Sign on the door\nback Monday' },
    });
  });

  it('uses the place form’s own rules and messages', () => {
    expect(parseReviewEdit('place-status', { status: 'shut', note: 'a'.repeat(1001) })).toEqual({
      ok: false,
      issues: [
        { field: 'status', message: 'Choose a status' },
        { field: 'note', message: 'Note must be 1,000 characters or fewer' },
      ],
    });
  });

  it('needs the text of a page but not the details of an alert', () => {
    expect(parseReviewEdit('page-body', { body: '  ' })).toEqual({ ok: false, issues: [{ field: 'body', message: 'Enter the text of the page' }] });
    expect(parseReviewEdit('alert-body', { body: '' })).toEqual({ ok: true, value: { form: 'alert-body', bodyMarkdown: '' } });
  });

  it('checks a new place’s details and status together, in the order of the form', () => {
    const result = parseReviewEdit('new-place', { name: '', category: '', address: '', postcode: 'nope', ward: '', identifier: '', latitude: '', longitude: '', status: '', note: '' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.field)).toEqual(['name', 'postcode', 'status']);
  });

  it('reads new information: severity, headline and details', () => {
    expect(parseReviewEdit('new-alert', { severity: 'info', headline: ' Gritting bins empty on Moor Lane ', body: 'Refilled tomorrow' })).toEqual({
      ok: true,
      value: { form: 'new-alert', severity: 'info', headline: 'Gritting bins empty on Moor Lane', bodyMarkdown: 'Refilled tomorrow' },
    });
    expect(parseReviewEdit('new-alert', { severity: '', headline: '', body: '' })).toEqual({
      ok: false,
      issues: [
        { field: 'severity', message: 'Select how serious the information is' },
        { field: 'headline', message: 'Enter a headline' },
      ],
    });
  });

  it('counts the form as edited only when a value really differs', () => {
    const prefilled = { status: 'closed', note: 'Sign on the door\nback Monday' };
    expect(isEdited('place-status', { status: 'closed', note: 'Sign on the door\r\nback Monday\r\n' }, prefilled)).toBe(false);
    expect(isEdited('place-status', { status: 'closed', note: 'Sign on the door, back Tuesday' }, prefilled)).toBe(true);
    expect(isEdited('place-status', { status: 'partially_open', note: prefilled.note }, prefilled)).toBe(true);
  });
});
