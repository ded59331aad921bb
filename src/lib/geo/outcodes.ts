// Where each postcode district is: one representative point per outward code (HD9, WF13), from
// the reference data in content/geo/ (CC0, see its README). Read from disk once per process, on
// first use, resolved from the working directory — the project root, where the server, the
// migrations (db/migrate.ts) and the demo loader (content/) are resolved from too. (Not bundled
// into the build: the build fingerprint does not cover content/, so a bundled copy could go
// stale without a rebuild.)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { LatLng } from './distance.ts';

export interface OutcodeCentroid extends LatLng {
  outcode: string;
  town: string;
}

/** The council's own districts first; the neighbours' file adds the districts around them. */
export const OUTCODE_FILES = ['kirklees_outcodes.csv', 'west_yorkshire_and_neighbours_outcodes.csv'];

/** Reads the district files in `dir` into a map by outward code (upper case); the first file to list a district wins. */
export function readOutcodeCentroids(dir: string, files: readonly string[] = OUTCODE_FILES): Map<string, OutcodeCentroid> {
  const centroids = new Map<string, OutcodeCentroid>();
  for (const file of files) {
    const rows = parse(readFileSync(join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
    for (const row of rows) {
      const outcode = (row.outcode ?? '').toUpperCase();
      const latitude = Number(row.latitude);
      const longitude = Number(row.longitude);
      if (!outcode || centroids.has(outcode) || !Number.isFinite(latitude) || !Number.isFinite(longitude)) continue;
      centroids.set(outcode, { outcode, latitude, longitude, town: row.town ?? '' });
    }
  }
  return centroids;
}

let loaded: Map<string, OutcodeCentroid> | undefined;

/** Every known district, read once per process from content/geo/ under the working directory. */
export function outcodeCentroids(): Map<string, OutcodeCentroid> {
  loaded ??= readOutcodeCentroids(resolve('content/geo'));
  return loaded;
}
