import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../../lib/http/json.ts';
import { loadApiPlace } from '../../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithJson(() => loadApiPlace(params.id ?? '', url.searchParams, new Date()));
