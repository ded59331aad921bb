import type { APIRoute } from 'astro';
import { respondWithDocument } from '../../../lib/http/json.ts';
import { loadPlaceFeed } from '../../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithDocument(() => loadPlaceFeed(params.file ?? '', url.searchParams, new Date()));
