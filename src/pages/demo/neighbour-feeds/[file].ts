// The demo's sample neighbour feeds (content/neighbour-feeds/), with their times filled in, so
// the coverage screen works offline. Public: they are sample data, not anyone's real feed.
import type { APIRoute } from 'astro';
import { respondWithDemoFeed } from '../../../lib/neighbours/demo-content.ts';

export const GET: APIRoute = ({ params, request }) => respondWithDemoFeed(params.file ?? '', request.headers.get('if-none-match'), new Date());
