/**
 * Headers on every response: a Content-Security-Policy that allows this origin only (no inline script or
 * style, no third-party image or font, no framing by other sites), no MIME sniffing, no Referer to other
 * sites, and `Cache-Control: no-store` on every page of a signed-in member (they carry a CSRF token).
 *
 * A handler that must show email HTML (inline styles by necessity) serves it on an address of its own with
 * EMAIL_FRAME_CSP, and the page around it embeds that address in a sandboxed iframe; a Content-Security-
 * Policy a handler set itself is kept.
 */
import type { MiddlewareHandler } from 'hono';

export const SITE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Email HTML, framed by our own pages only: nothing runs, styles inline, links open outside the frame. */
export const EMAIL_FRAME_CSP = [
  'sandbox allow-popups allow-top-navigation-by-user-activation',
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'self'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const headers = c.res.headers;
  if (!headers.has('content-security-policy')) headers.set('Content-Security-Policy', SITE_CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'same-origin');
  if (c.get('auth')?.csrfToken && (headers.get('content-type') ?? '').startsWith('text/html'))
    headers.set('Cache-Control', 'no-store');
};
