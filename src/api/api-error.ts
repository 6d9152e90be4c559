import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Errors carry the message in the body and in X-Error-Message, as the source API does. A header holds Latin-1
 * only, and messages may echo what the client sent (`/api/papers/中文`): outside printable ASCII, characters are
 * percent-encoded in the header; the body keeps them as they are. Some errors say more in the body (`extra`).
 */
export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  /** More fields of the body, beside `error`. */
  extra: Record<string, unknown> = {},
) {
  c.header(
    'X-Error-Message',
    message.replace(/[^\x20-\x7e]/gu, (ch) => encodeURIComponent(ch)),
  );
  return c.json({ ...extra, error: message }, status);
}
