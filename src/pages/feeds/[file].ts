import type { APIRoute } from 'astro';
import { respondWithDocument } from '../../lib/http/json.ts';
import { loadFeed } from '../../lib/open-data/service.ts';

export const GET: APIRoute = ({ params, url }) => respondWithDocument(() => loadFeed(params.file ?? '', url.searchParams, new Date()));
