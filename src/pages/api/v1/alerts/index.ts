import type { APIRoute } from 'astro';
import { respondWithJson } from '../../../../lib/http/json.ts';
import { loadApiAlerts } from '../../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ url }) => respondWithJson(() => loadApiAlerts(url.searchParams, new Date()));
