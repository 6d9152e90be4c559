/**
 * A client that asks for JSON (Accept: application/json, or any /api/ address) gets its errors as JSON,
 * `{ "error": "…" }`, from every route: a script that parses the body should not meet an HTML error page. The
 * pages keep rendering their HTML errors; this middleware turns them, and plain-text errors, into JSON with
 * the same status and message.
 */
import type { Context, MiddlewareHandler } from 'hono';

export function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').includes('application/json');
}

export const jsonErrors: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status < 400 || !wantsJson(c)) return;
  const type = c.res.headers.get('content-type') ?? '';
  if (type.includes('json')) return;
  const body = await c.res.text();
  const message = (type.startsWith('text/html') ? htmlErrorMessage(body) : body.trim()) || `HTTP ${c.res.status}`;
  // Assigning c.res keeps the headers already set (Cache-Control, Retry-After, …) except the content type.
  c.res = new Response(JSON.stringify({ error: message }), {
    status: c.res.status,
    headers: { 'Content-Type': 'application/json' },
  });
  c.res.headers.delete('content-length');
};

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The title and message of an error page (web/pages/error-page.ts), as one line of text. */
function htmlErrorMessage(page: string): string {
  const title = /<h1>([\s\S]*?)<\/h1>/.exec(page)?.[1] ?? '';
  const message = /<p class="error-message">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? '';
  const text = [title, message].filter((part) => part !== '').join(': ');
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!)
    .replace(/\s+/g, ' ')
    .trim();
}
