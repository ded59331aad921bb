// Typed errors for unexpected outcomes; routes map them to pages in one place (the 404 / 500).
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** For `.catch(nullIfNotFound)`: turns a NotFoundError into null so the route can answer 404. */
export function nullIfNotFound(error: unknown): null {
  if (error instanceof NotFoundError) return null;
  throw error;
}

/** A request the server cannot read (wrong content type, malformed form): answered 400. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
