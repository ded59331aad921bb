// `npm run build`: astro build, then precompress the static files (a .br and a .gz beside each
// CSS, JavaScript, SVG and icon file in dist/client, served by the front server), then record
// the build stamp beside the output.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { precompressAssets } from '../lib/http/static-assets.ts';
import { BUILD_STAMP_FILE, computeBuildStamp } from './build-stamp.ts';

const stamp = computeBuildStamp();
const result = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
const compressed = precompressAssets('dist/client');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`Precompressed ${compressed.files} static files: ${kb(compressed.raw)} → ${kb(compressed.br)} brotli, ${kb(compressed.gzip)} gzip`);
writeFileSync(BUILD_STAMP_FILE, stamp);
