import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distanceInMiles, formatMiles, parseLatLng } from '../../../src/lib/geo/distance.ts';
import { outcodeCentroids, readOutcodeCentroids } from '../../../src/lib/geo/outcodes.ts';
import { parsePostcode } from '../../../src/lib/geo/postcode.ts';

describe('reading a postcode', () => {
  it('reads a full postcode with or without its space, in any case', () => {
    for (const text of ['HD9 3TP', 'hd93tp', '  Hd9  3tP ']) {
      expect(parsePostcode(text), text).toEqual({ outcode: 'HD9', incode: '3TP', display: 'HD9 3TP', compact: 'HD93TP' });
    }
    expect(parsePostcode('WF13 1WR')).toMatchObject({ outcode: 'WF13', incode: '1WR' });
    expect(parsePostcode('M1 1AE')).toMatchObject({ outcode: 'M1', incode: '1AE' });
  });

  it('reads a postcode district on its own', () => {
    expect(parsePostcode('hd9')).toEqual({ outcode: 'HD9', incode: null, display: 'HD9', compact: 'HD9' });
    expect(parsePostcode('WF13')).toMatchObject({ outcode: 'WF13', incode: null });
  });

  it('is not fooled by names, numbers or a misplaced space', () => {
    for (const text of ['Honley', '140605', 'HD 93TP', 'HD9 3TP X', 'B6107', '']) expect(parsePostcode(text), text).toBeNull();
  });
});

describe('distances', () => {
  it('measures in miles as the crow flies', () => {
    // Huddersfield (HD1) to Dewsbury (WF13): about 10 miles apart by road, 9 in a straight line.
    const miles = distanceInMiles({ latitude: 53.64639, longitude: -1.78819 }, { latitude: 53.69279, longitude: -1.64559 });
    expect(miles).toBeGreaterThan(6);
    expect(miles).toBeLessThan(7);
    expect(distanceInMiles({ latitude: 53.6, longitude: -1.8 }, { latitude: 53.6, longitude: -1.8 })).toBe(0);
  });

  it('says distances with one decimal under 10 miles', () => {
    expect(formatMiles(0.8)).toBe('0.8 miles');
    expect(formatMiles(0.04)).toBe('less than 0.1 miles');
    expect(formatMiles(3.14159)).toBe('3.1 miles');
    expect(formatMiles(9.96)).toBe('10 miles');
    expect(formatMiles(12.4)).toBe('12 miles');
  });

  it('reads a location strictly', () => {
    expect(parseLatLng('53.580,-1.795')).toEqual({ latitude: 53.58, longitude: -1.795 });
    for (const text of ['53.58', '53.58,-1.79,3', '91,0', '0,181', '53.5800001,-1', '5e1,1', ' ,', 'NaN,NaN', '53.58, -1.79']) {
      expect(parseLatLng(text), text).toBeNull();
    }
  });
});

describe('postcode districts', () => {
  it('reads the districts of the council and its neighbours from content/geo', () => {
    const centroids = outcodeCentroids();
    expect(centroids.get('HD9')).toMatchObject({ latitude: 53.57988, longitude: -1.79457 });
    expect(centroids.get('LS1')).toBeDefined();
    expect(centroids.has('HD99')).toBe(false);
    expect(outcodeCentroids()).toBe(centroids);
  });

  it('keeps the first file\'s point when two files list a district', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csa-geo-'));
    writeFileSync(join(dir, 'a.csv'), 'outcode,latitude,longitude,town\nHD1,1,2,A\n');
    writeFileSync(join(dir, 'b.csv'), 'outcode,latitude,longitude,town\nhd1,3,4,B\nHD2,5,6,B\nBAD,x,y,B\n');
    const centroids = readOutcodeCentroids(dir, ['a.csv', 'b.csv']);
    expect([...centroids.values()]).toEqual([
      { outcode: 'HD1', latitude: 1, longitude: 2, town: 'A' },
      { outcode: 'HD2', latitude: 5, longitude: 6, town: 'B' },
    ]);
  });
});
