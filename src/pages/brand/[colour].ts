// /brand/<hex>.css: the council's header colour as a stylesheet (src/lib/settings/brand.ts).
import type { APIRoute } from 'astro';
import { brandStylesheet } from '../../lib/settings/brand.ts';

export const GET: APIRoute = ({ params }) => {
  const css = brandStylesheet(params.colour);
  if (css === null) return new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(css, { headers: { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' } });
};
