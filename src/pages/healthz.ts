import type { APIRoute } from 'astro';
import { checkHealth } from '../lib/public/site.ts';

/** Liveness and database readiness: 200 when the database answers, 503 when it does not. */
export const GET: APIRoute = async () => {
  const health = await checkHealth();
  return Response.json(
    { status: health.ok ? 'ok' : 'unavailable', database: health.database },
    { status: health.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
};
