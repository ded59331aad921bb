// /brand/<hex>.css and /brand/logo-<hash>.png: the council's header colour and logo
// (src/lib/settings/brand.ts). Each address always has the same bytes, so both are cached a year.
import type { APIRoute } from 'astro';
import { loadBrandFile } from '../../lib/settings/brand.ts';

export const GET: APIRoute = async ({ params }) => {
  const file = await loadBrandFile(params.file);
  if (file === null) return new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(file.body, { headers: { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' } });
};
