import { describe, expect, it } from 'vitest';
import { allowedTypos, typoDistance } from '../../../src/lib/search/fuzzy.ts';
import { wordScore } from '../../../src/lib/search/matcher.ts';

describe('counting typing mistakes', () => {
  it('counts a wrong, missing or extra letter, and two letters swapped, as one mistake each', () => {
    expect(typoDistance('valley', 'valley', 2)).toBe(0);
    expect(typoDistance('valey', 'valley', 2)).toBe(1);
    expect(typoDistance('vallley', 'valley', 2)).toBe(1);
    expect(typoDistance('vallay', 'valley', 2)).toBe(1);
    expect(typoDistance('holmfrith', 'holmfirth', 2)).toBe(1);
    expect(typoDistance('hudersfeld', 'huddersfield', 2)).toBe(2);
  });

  it('stops counting past the limit', () => {
    expect(typoDistance('almondbury', 'dewsbury', 2)).toBe(3);
    expect(typoDistance('a', 'abcdef', 1)).toBe(2);
  });

  it('allows no mistake in short words, one up to six letters, two after', () => {
    expect([3, 4, 6, 7, 12].map(allowedTypos)).toEqual([0, 1, 1, 2, 2]);
  });
});

describe('scoring one word against another', () => {
  it('ranks the same word over a plural, a beginning, and typos', () => {
    const scores = [wordScore('valley', 'valley'), wordScore('johns', 'john'), wordScore('val', 'valley'), wordScore('valey', 'valley'), wordScore('hudersfeld', 'huddersfield')];
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores.every((s) => s > 0)).toBe(true);
  });

  it('never counts a near-miss number as a match', () => {
    expect(wordScore('116898', '116899')).toBe(0);
    expect(wordScore('hd5', 'hd6')).toBe(0);
  });

  it('does not match short words with a typo', () => {
    expect(wordScore('ce', 'rc')).toBe(0);
    expect(wordScore('top', 'tip')).toBe(0);
  });
});
