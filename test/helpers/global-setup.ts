// Builds the site once before the integration and end-to-end tests, unless the build in dist/
// already matches the sources (same fingerprint `npm start` uses).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BUILD_STAMP_FILE, computeBuildStamp } from '../../src/scripts/build-stamp.ts';

export default function buildOnce(): void {
  const stamp = computeBuildStamp();
  if (existsSync('dist/server/entry.mjs') && existsSync(BUILD_STAMP_FILE) && readFileSync(BUILD_STAMP_FILE, 'utf8') === stamp) return;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/scripts/build.ts'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('The site did not build');
}
