// The words an official warning is about, which our alerts are searched for to count it as
// covered (coverage.ts, loadOfficialWarningsCoverage).
import { describe, expect, it } from 'vitest';
import { hazardWordsOf } from '../../../src/lib/neighbours/coverage.ts';

describe('the hazard words of an official warning', () => {
  it('are the Met Office hazard’s own words, without "and" and plurals', () => {
    expect(hazardWordsOf({ hazard: 'snow', title: 'Amber warning of snow affecting Yorkshire & Humber' })).toEqual(['snow']);
    expect(hazardWordsOf({ hazard: 'thunderstorms and rain', title: 'x' })).toEqual(['thunderstorm', 'rain']);
    expect(hazardWordsOf({ hazard: 'extreme heat', title: 'x' })).toEqual(['heat']);
  });

  it('are read from an emergency alert’s headline and text, which name no hazard', () => {
    expect(hazardWordsOf({ hazard: null, title: 'Calderdale, Kirklees', summary: 'Severe flooding is expected. Move to higher ground.' })).toEqual(['flood']);
    expect(hazardWordsOf({ hazard: null, title: 'England', summary: 'This is a test of the emergency alerts system.' })).toEqual([]);
  });
});
