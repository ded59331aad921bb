import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../lib/http/json.ts';
import { loadApiChanges } from '../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ url }) => respondWithJson(() => loadApiChanges(url.searchParams));
