// A fingerprint of everything that goes into the build, so `npm start` rebuilds only when needed
// and the server can tell which build it is (part of every ETag).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUILD_STAMP_FILE = 'dist/build-stamp.txt';
const INPUTS = ['src', 'db/schema', 'astro.config.mjs', 'package-lock.json', 'tsconfig.json'];

function files(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

export function computeBuildStamp(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files)) {
    hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
