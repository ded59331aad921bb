import { describe, expect, it } from 'vitest';
import { parseLondonLocal, toLondonLocalInput } from '../../../src/lib/time/london.ts';

describe('datetime-local values read as London time', () => {
  it('reads a winter time as GMT', () => {
    expect(parseLondonLocal('2026-11-21T07:30')?.toISOString()).toBe('2026-11-21T07:30:00.000Z');
  });

  it('reads a summer time as BST, an hour ahead of UTC', () => {
    expect(parseLondonLocal('2026-07-01T07:30')?.toISOString()).toBe('2026-07-01T06:30:00.000Z');
  });

  it('accepts seconds, which some browsers send', () => {
    expect(parseLondonLocal('2026-11-21T07:30:15')?.toISOString()).toBe('2026-11-21T07:30:15.000Z');
  });

  it('reads a date typed the British way where a browser has no date picker', () => {
    expect(parseLondonLocal('21/11/2026 07:30')?.toISOString()).toBe('2026-11-21T07:30:00.000Z');
  });

  it('refuses dates and times that do not exist on any calendar', () => {
    for (const value of ['', 'tomorrow', '2026-02-30T09:00', '2026-11-21T24:00', '2026-13-01T09:00', '2026-11-21']) {
      expect(parseLondonLocal(value)).toBeNull();
    }
  });

  it('reads a time in the hour the clocks go forward as an hour later', () => {
    // 01:30 on 29 March 2026 never happens in London: the clocks jump from 01:00 to 02:00.
    expect(parseLondonLocal('2026-03-29T01:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(parseLondonLocal('2026-03-29T00:30')?.toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(parseLondonLocal('2026-03-29T02:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('reads the repeated hour when the clocks go back as the second, GMT one', () => {
    expect(parseLondonLocal('2026-10-25T00:30')?.toISOString()).toBe('2026-10-24T23:30:00.000Z');
    expect(parseLondonLocal('2026-10-25T01:30')?.toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('writes an instant as the London value of a datetime-local input', () => {
    expect(toLondonLocalInput(new Date('2026-11-21T07:30:59Z'))).toBe('2026-11-21T07:30');
    expect(toLondonLocalInput(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01T00:30');
  });

  it('gives back what it was given, in winter and in summer', () => {
    for (const value of ['2026-01-05T00:00', '2026-07-01T23:59', '2026-12-31T12:00']) {
      expect(toLondonLocalInput(parseLondonLocal(value)!)).toBe(value);
    }
  });
});
