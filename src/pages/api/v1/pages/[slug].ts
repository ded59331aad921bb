import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../../lib/http/json.ts';
import { loadApiPage } from '../../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithJson(() => loadApiPage(params.slug ?? '', url.searchParams));
