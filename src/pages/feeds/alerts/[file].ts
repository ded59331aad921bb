import type { APIRoute } from 'astro';
import { respondWithDocument } from '../../../lib/http/json.ts';
import { loadCapAlert } from '../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithDocument(() => loadCapAlert(params.file ?? '', url.searchParams));
