// British National Grid to WGS84 with the OS's Helmert parameters: within a few metres of the
// Ordnance Survey's own published worked example, and off-grid values refused.
import { describe, expect, it } from 'vitest';
import { distanceInMiles } from '../../../src/lib/geo/distance.ts';
import { gridToLatLng } from '../../../src/lib/import/grid.ts';

const METRES_PER_MILE = 1609.344;

describe('gridToLatLng', () => {
  it('puts Caister water tower within 5 m of its ETRS89 position, as the OS guide gives both', () => {
    // "A guide to coordinate systems in Great Britain" / OSTN worked example, Caister water tower:
    // ETRS89 52.658007833 N, 1.716073973 E is OSGB36 651409.792 E, 313177.448 N (via OSTN).
    // ETRS89 and WGS84 differ by under a metre in Britain.
    const position = gridToLatLng(651409.792, 313177.448)!;
    const metres = distanceInMiles(position, { latitude: 52.658007833, longitude: 1.716073973 }) * METRES_PER_MILE;
    expect(metres).toBeLessThan(5);
    expect(metres).toBeGreaterThan(1); // it is a Helmert approximation, not OSTN15
  });

  it('refuses positions off the grid (GIAS gives 0 or blank when it does not know)', () => {
    expect(gridToLatLng(0, 0)).toBeNull();
    expect(gridToLatLng(Number.NaN, 416473)).toBeNull();
    expect(gridToLatLng(417598, 2_000_000)).toBeNull();
  });
});
