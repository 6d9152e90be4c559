/**
 * Form bodies are read once, before the CSRF check or any handler: a malformed one (a cut multipart body, a
 * missing boundary) is the client's mistake and gets a 400, instead of an exception, a 500 and a stack trace
 * in the log for every such request. Hono keeps the parsed body, so handlers reading it again cost nothing.
 */
import type { MiddlewareHandler } from 'hono';
import { wantsJson } from '../http/json-errors.ts';
import { renderErrorPage } from './pages/error-page.ts';

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

export const readFormBody: MiddlewareHandler = async (c, next) => {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && FORM_TYPES.some((t) => type.startsWith(t))) {
    try {
      await c.req.parseBody();
    } catch {
      const message = 'The form could not be read: its body is malformed.';
      return wantsJson(c)
        ? c.json({ error: message }, 400)
        : c.html(renderErrorPage(400, 'Malformed form', message), 400);
    }
  }
  await next();
};
