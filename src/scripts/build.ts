// `npm run build`: astro build, then record the build stamp beside the output.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BUILD_STAMP_FILE, computeBuildStamp } from './build-stamp.ts';

const stamp = computeBuildStamp();
const result = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(BUILD_STAMP_FILE, stamp);
