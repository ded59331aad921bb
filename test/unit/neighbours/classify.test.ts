// Classifying neighbours' items by our services' keywords: whole words, case-insensitive, the
// best match wins and a tie goes to the earlier service.
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyItem, type ClassificationRule } from '../../../src/lib/neighbours/classify.ts';
import { loadDemoContent } from '../../../src/lib/content/demo.ts';

let demoRules: ClassificationRule[];
beforeAll(async () => {
  demoRules = (await loadDemoContent('content')).services.map((s) => ({ serviceSlug: s.slug, phrases: s.keywords }));
});

const item = (title: string, summary = '') => ({ title, summary });

describe('classifying with the demo keywords', () => {
  it('puts "All schools in Rochdale closed today" under schools', () => {
    expect(classifyItem(item('All schools in Rochdale closed today'), demoRules)).toBe('schools');
  });

  it('puts "Gritting routes tonight" under roads and gritting', () => {
    expect(classifyItem(item('Gritting routes tonight'), demoRules)).toBe('roads-and-gritting');
  });

  it('recognises each service from everyday headlines', () => {
    expect(classifyItem(item('Bin collections suspended today'), demoRules)).toBe('waste-and-recycling');
    expect(classifyItem(item('Leisure centres and swimming pools open as normal'), demoRules)).toBe('leisure-centres');
    expect(classifyItem(item('Libraries closing at 3pm'), demoRules)).toBe('libraries');
    expect(classifyItem(item('Day centres closed today, transport cancelled'), demoRules)).toBe('day-centres');
  });

  it('gives null when nothing matches', () => {
    expect(classifyItem(item('Christmas market opens on Millennium Square'), demoRules)).toBeNull();
  });
});

describe('matching rules', () => {
  const rules: ClassificationRule[] = [
    { serviceSlug: 'schools', phrases: ['school', 'school transport'] },
    { serviceSlug: 'roads', phrases: ['road', 'gritting'] },
    { serviceSlug: 'leisure', phrases: ['pool'] },
    { serviceSlug: 'waste', phrases: ['bin'] },
  ];

  it('matches whole words only, ignoring case and punctuation', () => {
    expect(classifyItem(item('Liverpool match postponed'), rules)).toBeNull();
    expect(classifyItem(item('Cabinet meeting moved'), rules)).toBeNull();
    expect(classifyItem(item('POOL CLOSED!'), rules)).toBe('leisure');
    expect(classifyItem(item("The school's car park is icy"), rules)).toBe('schools');
  });

  it('lets the last word of a phrase take a plural ending', () => {
    expect(classifyItem(item('Bins not collected'), rules)).toBe('waste');
    expect(classifyItem(item('Main roads treated'), rules)).toBe('roads');
  });

  it('counts the title over the summary, and longer phrases over shorter ones', () => {
    expect(classifyItem(item('Gritting on all routes', 'Buses to school are running late'), rules)).toBe('roads');
    expect(classifyItem(item('School transport cancelled on moorland roads'), rules)).toBe('schools');
  });

  it('reads the summary when the title says nothing', () => {
    expect(classifyItem(item('Update at 7am', 'Every school in the borough is closed.'), rules)).toBe('schools');
  });

  it('breaks a tie in favour of the earlier service', () => {
    expect(classifyItem(item('School road closed'), rules)).toBe('schools');
    expect(classifyItem(item('School road closed'), [...rules].reverse())).toBe('roads');
  });

  it('copes with no rules and empty phrases', () => {
    expect(classifyItem(item('Schools closed'), [])).toBeNull();
    expect(classifyItem(item('Schools closed'), [{ serviceSlug: 'x', phrases: ['', '  ', '!!'] }])).toBeNull();
  });
});
