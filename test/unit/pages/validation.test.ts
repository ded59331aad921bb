import { describe, expect, it } from 'vitest';
import { pageFormValuesFrom, parsePageForm, readPageForm, slugFromTitle, type PageFormValues } from '../../../src/lib/pages/validation.ts';

function valid(overrides: Partial<PageFormValues> = {}): PageFormValues {
  return { title: 'Winter driving', summary: 'How to drive in snow.', slug: '', body: '## Before you go\n\nCheck the forecast.', editSummary: 'New page', ...overrides };
}

const fieldsOf = (result: ReturnType<typeof parsePageForm>) => (result.ok ? [] : result.issues.map((i) => i.field));
const messageFor = (result: ReturnType<typeof parsePageForm>, field: string) => (result.ok ? undefined : result.issues.find((i) => i.field === field)?.message);

describe('web addresses made from titles', () => {
  it('uses lowercase words joined by hyphens', () => {
    expect(slugFromTitle('Gritting & roads — Winter 2026')).toBe('gritting-roads-winter-2026');
  });

  it('drops accents and apostrophes', () => {
    expect(slugFromTitle("What's on: café closures")).toBe('whats-on-cafe-closures');
  });

  it('is at most 80 characters and never ends with a hyphen', () => {
    const slug = slugFromTitle(`${'a'.repeat(79)} b`);
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug.endsWith('-')).toBe(false);
  });
});

describe('the page form for a new page', () => {
  it('makes the web address from the title when it is left empty', () => {
    expect(parsePageForm(valid())).toEqual({
      ok: true,
      summary: 'New page',
      draft: { slug: 'winter-driving', title: 'Winter driving', summary: 'How to drive in snow.', bodyMarkdown: '## Before you go\n\nCheck the forecast.', retired: false },
    });
  });

  it('uses a web address typed in', () => {
    const result = parsePageForm(valid({ slug: 'driving-in-snow' }));
    expect(result.ok && result.draft.slug).toBe('driving-in-snow');
  });

  it('refuses a web address with capitals, spaces or other characters', () => {
    for (const slug of ['Winter', 'winter driving', 'winter_driving', '-winter', 'winter--driving', 'winter/driving']) {
      expect(messageFor(parsePageForm(valid({ slug })), 'slug')).toMatch(/^Web address must only include lowercase letters, numbers and hyphens/);
    }
  });

  it('asks for a web address when the title makes none', () => {
    expect(messageFor(parsePageForm(valid({ title: '!!!' })), 'slug')).toBe('Enter a web address for the page, like bad-weather-advice');
  });

  it('asks for a title, and only for a title when both are empty', () => {
    expect(fieldsOf(parsePageForm(valid({ title: '' })))).toEqual(['title']);
  });

  it('limits the title to 120 characters, the summary to 300 and the text to 50,000', () => {
    expect(parsePageForm(valid({ title: 'a'.repeat(120), summary: 'a'.repeat(300), body: 'a'.repeat(50_000), slug: 'x' })).ok).toBe(true);
    const result = parsePageForm(valid({ title: 'a'.repeat(121), summary: 'a'.repeat(301), body: 'a'.repeat(50_001), slug: 'x' }));
    expect(fieldsOf(result)).toEqual(['title', 'summary', 'body']);
    expect(messageFor(result, 'title')).toBe('Title must be 120 characters or fewer');
  });

  it('asks for the text of the page and a summary of the change', () => {
    expect(fieldsOf(parsePageForm(valid({ body: ' ', editSummary: '' })))).toEqual(['body', 'editSummary']);
  });
});

describe('the page form for an existing page', () => {
  it('keeps its web address and retired state whatever the form says', () => {
    const result = parsePageForm(valid({ slug: 'something-else' }), { slug: 'winter', retired: true });
    expect(result.ok && result.draft.slug).toBe('winter');
    expect(result.ok && result.draft.retired).toBe(true);
  });

  it('shows the published page with an empty summary of the change', () => {
    expect(pageFormValuesFrom({ slug: 'about', title: 'About', summary: 'S', bodyMarkdown: 'B', bodyHtml: '<p>B</p>', retired: false })).toEqual({
      title: 'About', summary: 'S', slug: 'about', body: 'B', editSummary: '',
    });
  });

  it('reads every field from a posted form', () => {
    const form = new FormData();
    form.append('title', 'T');
    form.append('editSummary', 'E');
    expect(readPageForm(form)).toEqual({ title: 'T', summary: '', slug: '', body: '', editSummary: 'E' });
  });
});
