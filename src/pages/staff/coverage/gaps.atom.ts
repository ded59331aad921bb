// The staff feed of urgent gaps (Atom): an editor's private address (?token=…) or a signed-in
// editor's browser. See src/lib/neighbours/staff-feed.ts.
import type { APIRoute } from 'astro';
import { respondWithGapsFeed } from '../../../lib/neighbours/staff-feed.ts';

export const GET: APIRoute = ({ locals, url }) => respondWithGapsFeed(locals, url.searchParams, new Date());
