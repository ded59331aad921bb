import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../../lib/http/json.ts';
import { loadApiService } from '../../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithJson(() => loadApiService(params.service ?? '', url.searchParams, new Date()));
