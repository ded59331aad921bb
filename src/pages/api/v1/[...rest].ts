import type { APIRoute } from 'astro';
import { jsonError } from '../../../lib/http/json.ts';

/** Anything else under /api/v1 is a JSON 404 that points at the documentation. */
export const GET: APIRoute = () => jsonError(404, 'No such API address: see /pages/open-data for the list');
