// British National Grid (OSGB36 easting and northing, as GIAS and most council data give
// places) to WGS84 latitude and longitude (what maps and our places use), with proj4.
//
// The datum shift is the Ordnance Survey's published seven-parameter Helmert transformation
// (EPSG:1314, "OSGB36 to WGS 84 (6)", the `+towgs84` below), not the OSTN15 grid: OSTN15 is
// accurate to about 0.1 m but needs a 15 MB grid file, and a school's marker on a map needs
// metres, not centimetres. The OS states this Helmert is good to about 5 metres across Great
// Britain (worse, up to about 10 m, in the far north and the islands). Measured here against the
// OS's own worked example (Caister water tower, Norfolk, test/unit/import/grid.test.ts): 3.5 m.
// ETRS89 (what OSTN15 gives) and WGS84 differ by under a metre in Britain, which is ignored.
import proj4 from 'proj4';

/**
 * EPSG:27700. Airy 1830 ellipsoid; Transverse Mercator with true origin 49°N 2°W, scale
 * 0.9996012717, false origin 400 km west and 100 km north of it. The seven `+towgs84`
 * parameters are tx, ty, tz (metres), rx, ry, rz (arc-seconds) and the scale change (ppm), from
 * WGS84 to OSGB36 negated, as proj expects (OSGB36 → WGS84, position-vector convention).
 */
export const BRITISH_NATIONAL_GRID =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy ' +
  '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

const toWgs84 = proj4(BRITISH_NATIONAL_GRID, 'WGS84');

/** Easting and northing in metres must fall on the grid's sheet of Great Britain. */
const GRID_BOUNDS = { easting: [0, 700_000], northing: [0, 1_300_000] } as const;

/**
 * Latitude and longitude (decimal degrees, rounded to 6 places, about 0.1 m) of a British
 * National Grid position, or null when it is off the grid (GIAS gives 0 or blank for unknown).
 */
export function gridToLatLng(easting: number, northing: number): { latitude: number; longitude: number } | null {
  if (!Number.isFinite(easting) || !Number.isFinite(northing)) return null;
  if (easting <= GRID_BOUNDS.easting[0] || easting >= GRID_BOUNDS.easting[1]) return null;
  if (northing <= GRID_BOUNDS.northing[0] || northing >= GRID_BOUNDS.northing[1]) return null;
  const [longitude, latitude] = toWgs84.forward([easting, northing]);
  return { latitude: round(latitude!, 6), longitude: round(longitude!, 6) };
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}
