// Builds the site once before the integration and end-to-end tests, unless the build in dist/
// already matches the sources (same fingerprint `npm start` uses). Several test runs at once
// (engineers working side by side) take turns through a lock, so no build overwrites another.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { BUILD_STAMP_FILE, computeBuildStamp } from '../../src/scripts/build-stamp.ts';

const LOCK = 'node_modules/.cache/council-service-alerts-build.lock';

function isBuilt(): boolean {
  return existsSync('dist/server/entry.mjs') && existsSync(BUILD_STAMP_FILE) && readFileSync(BUILD_STAMP_FILE, 'utf8') === computeBuildStamp();
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export default function buildOnce(): void {
  if (isBuilt()) return;
  mkdirSync('node_modules/.cache', { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another run is building; a lock older than three minutes was left by a crash.
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build (${LOCK})`);
      sleep(250);
    }
  }
  try {
    if (isBuilt()) return;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/scripts/build.ts'], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error('The site did not build');
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
