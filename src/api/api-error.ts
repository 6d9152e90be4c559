import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Errors carry the message in the body and in X-Error-Message, as the source API does. */
export function apiError(c: Context, status: ContentfulStatusCode, message: string) {
  c.header('X-Error-Message', message);
  return c.json({ error: message }, status);
}
