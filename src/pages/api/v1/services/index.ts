import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../../lib/http/json.ts';
import { loadApiServices } from '../../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ url }) => respondWithJson(() => loadApiServices(url.searchParams, new Date()));
