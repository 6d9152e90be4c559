/**
 * Compressed responses (br or gzip, node:zlib) for clients that accept them.
 *
 * - Shared bytes (cached pages, API lists, feeds, static files) are compressed once per encoding and kept
 *   next to their plain copy (`serveCached`, `cachedEncoding`): a busy page costs one compression, not one
 *   per request.
 * - Everything else of a compressible type (a member's page, a search) is compressed on its way out by the
 *   `compression` middleware, at a quick setting.
 * - Small bodies (under MIN_BYTES: the framing costs more than it saves), images and other compressed types
 *   are sent as they are. Every response of a compressible type says `Vary: Accept-Encoding`, compressed or
 *   not, so that no shared cache hands one client's encoding to another.
 * - An ETag names bytes: a compressed response carries its own (`"tag-br"`, `"tag-gz"`), and a client sending
 *   that tag back gets its 304 from here.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';

export type ContentCoding = 'br' | 'gzip';
export type Bytes = Uint8Array<ArrayBuffer>;

/** Below this many bytes a body is sent as it is. */
export const MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * How hard to try. Bytes that are kept and served many times get a little more effort than a body compressed
 * for one response. Measured on the demo's 250 KB API list (bench/weight.ts): brotli 4 → 45.3 KB in ~12 ms,
 * 6 → 42.9 KB in ~14 ms, 9 → 42.4 KB in ~105 ms; gzip 6 → 48.4 KB in 8 ms, 9 → 48.0 KB in 19 ms. Past 6 (and
 * gzip past its default) the extra milliseconds buy under 1%.
 */
export type Effort = 'once' | 'kept';

const BROTLI_QUALITY: Record<Effort, number> = { once: 4, kept: 6 };
const GZIP_LEVEL: Record<Effort, number> = { once: 6, kept: 6 };

export async function compress(body: Uint8Array, coding: ContentCoding, effort: Effort = 'once'): Promise<Bytes> {
  const out =
    coding === 'br'
      ? await brotli(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[effort],
            [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
          },
        })
      : await gzipAsync(body, { level: GZIP_LEVEL[effort] });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength) as Bytes;
}

/**
 * The coding to answer an Accept-Encoding header with: br before gzip, as the client weighs them (q=0 refuses
 * one); `*` stands for either. null: send the body as it is.
 */
export function negotiateEncoding(header: string | undefined): ContentCoding | null {
  if (!header) return null;
  const weights = new Map<string, number>();
  for (const part of header.slice(0, 500).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(param);
      if (m) q = Number(m[1]);
    }
    weights.set(name, q);
  }
  const weight = (coding: ContentCoding) =>
    weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? weights.get('*') ?? 0;
  const br = weight('br');
  const gz = weight('gzip');
  if (br <= 0 && gz <= 0) return null;
  return br >= gz ? 'br' : 'gzip';
}

/** Types worth compressing: text, JSON, XML (feeds), JavaScript, SVG. Images, archives and fonts are not. */
export function compressibleType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/javascript' ||
    type === 'application/xml' ||
    type === 'image/svg+xml' ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

/** The coding this request's response may use. */
export function requestEncoding(c: Context): ContentCoding | null {
  return negotiateEncoding(c.req.header('accept-encoding'));
}

/** The ETag of the `coding` copy of bytes tagged `etag` (weak tags stay weak). */
export function encodedEtag(etag: string, coding: ContentCoding): string {
  const suffix = coding === 'br' ? '-br' : '-gz';
  return etag.endsWith('"') ? `${etag.slice(0, -1)}${suffix}"` : `${etag}${suffix}`;
}

/** Whether If-None-Match names this ETag (a list, `*`, weak comparison as RFC 9110 asks for GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = bare(etag);
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === wanted);
}

/** Adds a field to Vary, once. */
export function addVary(headers: Headers, field: string): void {
  const current = headers.get('vary');
  if (!current) {
    headers.set('Vary', field);
    return;
  }
  const fields = current.split(',').map((f) => f.trim().toLowerCase());
  if (fields.includes('*') || fields.includes(field.toLowerCase())) return;
  headers.set('Vary', `${current}, ${field}`);
}

/** Something with a bounded byte store: the response caches (http/response-cache.ts). */
export interface ByteStore {
  get(key: string): Bytes | undefined;
  set(key: string, body: Bytes): void;
}

export interface EncodedBody {
  body: Bytes;
  coding: ContentCoding | null;
}

/**
 * The bytes to send for `plain`, kept under `key`: compressed with `coding` the first time it is asked for and
 * kept under a key of its own, then reused. Small bodies, or no coding, give the plain bytes.
 */
export async function cachedEncoding(
  cache: ByteStore | null,
  key: string | null,
  plain: Bytes,
  coding: ContentCoding | null,
): Promise<EncodedBody> {
  if (coding === null || plain.byteLength < MIN_BYTES) return { body: plain, coding: null };
  const variantKey = key === null ? null : `${key}\u0000${coding}`;
  const kept = variantKey === null ? undefined : cache?.get(variantKey);
  if (kept !== undefined) return { body: kept, coding };
  const body = await compress(plain, coding, cache && variantKey ? 'kept' : 'once');
  if (cache && variantKey) cache.set(variantKey, body);
  return { body, coding };
}

/**
 * A response from bytes kept in `cache` under `key`: the client's encoding if it is kept, else the plain copy
 * (compressed now and kept), else `render` (kept, then compressed). `render` may answer with a Response of its
 * own (a 404), which is never kept. `key` null: render, nothing kept (a member's page).
 */
export async function serveCached(
  c: Context,
  cache: ByteStore,
  key: string | null,
  contentType: string,
  render: () => Promise<Bytes | Response>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const coding = compressibleType(contentType) ? requestEncoding(c) : null;
  if (key !== null && coding !== null) {
    const kept = cache.get(`${key}\u0000${coding}`);
    if (kept !== undefined) return sendEncoded(c, { body: kept, coding }, contentType, headers);
  }
  let plain = key === null ? undefined : cache.get(key);
  if (plain === undefined) {
    const rendered = await render();
    if (rendered instanceof Response) return rendered;
    plain = rendered;
    if (key !== null) cache.set(key, plain);
  }
  return sendEncoded(c, await cachedEncoding(key === null ? null : cache, key, plain, coding), contentType, headers);
}

/** Sends bytes already encoded: Content-Encoding, Vary, and the ETag of this encoding (a 304 when it matches). */
export function sendEncoded(
  c: Context,
  { body, coding }: EncodedBody,
  contentType: string,
  headers: Record<string, string> = {},
): Response {
  c.header('Vary', 'Accept-Encoding', { append: true });
  const out: Record<string, string> = { ...headers, 'Content-Type': contentType };
  if (headers.ETag && coding) out.ETag = encodedEtag(headers.ETag, coding);
  if (coding) out['Content-Encoding'] = coding;
  if (out.ETag && etagMatches(c.req.header('if-none-match'), out.ETag)) {
    delete out['Content-Type'];
    delete out['Content-Encoding'];
    return c.body(null, 304, out);
  }
  return c.body(body, 200, out);
}

/**
 * Compresses, on its way out, any response of a compressible type that was not compressed already, and
 * answers a conditional request for the compressed copy's ETag with a 304.
 */
export const compression: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  if (!compressibleType(res.headers.get('content-type'))) return;
  addVary(res.headers, 'Accept-Encoding');
  if (res.headers.has('content-encoding') || res.status === 204 || res.status === 304 || res.status === 206) return;
  if (res.body === null || c.req.method === 'HEAD') return;
  const coding = requestEncoding(c);
  if (coding === null) return;
  if ((res.headers.get('cache-control') ?? '').includes('no-transform')) return;
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared < MIN_BYTES) return;
  const plain = new Uint8Array(await res.arrayBuffer());
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  const etag = headers.get('etag');
  if (plain.byteLength < MIN_BYTES) {
    replaceResponse(c, new Response(plain, { status: res.status, statusText: res.statusText, headers }));
    return;
  }
  if (etag) {
    const tag = encodedEtag(etag, coding);
    headers.set('ETag', tag);
    if (res.status === 200 && etagMatches(c.req.header('if-none-match'), tag)) {
      headers.delete('content-type');
      replaceResponse(c, new Response(null, { status: 304, headers }));
      return;
    }
  }
  headers.set('Content-Encoding', coding);
  const body = await compress(plain, coding);
  replaceResponse(c, new Response(body, { status: res.status, statusText: res.statusText, headers }));
};

/** Hono merges the old response's headers into an assigned one; these headers are already complete. */
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}
