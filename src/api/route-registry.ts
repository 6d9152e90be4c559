/**
 * What each API route takes and answers, declared once: the handler validates its request with these schemas
 * (`parseRequest`), and /api/openapi.json is generated from them (openapi.ts). Every route of the JSON API is
 * listed in API_ROUTES (api-routes.ts); test/openapi.test.ts fails for an /api/ route that is not.
 *
 * Adding a route: declare it with `apiRoute({...})` next to its handler or in api-routes.ts, add it to
 * API_ROUTES, and call `parseRequest(route, c)` in the handler. Query and path parameters are z.objects of
 * strings (as they arrive: transforms and refinements are fine, the document shows the input side); a JSON
 * body is any zod schema; response schemas must be registered in `apiSchemas` (api-schemas.ts) so the
 * document can name them.
 */
import type { Context } from 'hono';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiResponseSpec {
  description: string;
  /** The body's schema, registered in `apiSchemas`; none for a body-less answer (204). */
  schema?: z.ZodType | undefined;
  /** application/json unless said otherwise. */
  contentType?: string | undefined;
  /** Response headers worth documenting (Link of a cursor page, Retry-After of a 429). */
  headers?: Record<string, string> | undefined;
}

export interface ApiRouteSpec {
  method: HttpMethod;
  /** The address as OpenAPI writes it: /api/papers/{id}. */
  path: string;
  summary: string;
  description?: string | undefined;
  /** Groups in the document (papers, search, collections, …). */
  tags?: readonly string[] | undefined;
  /** Query parameters, as strings. */
  query?: z.ZodObject | undefined;
  /** Path parameters, named as in `path`. */
  params?: z.ZodObject | undefined;
  /** A JSON request body. */
  body?: z.ZodType | undefined;
  /** How a caller proves who they are: a bearer token, or the site's session cookie (with its CSRF token). */
  auth?: 'bearer' | 'session' | undefined;
  responses: Record<number, ApiResponseSpec>;
  /** A request the tests make against the demo fixtures, and whose answer must match the 200 schema. */
  example?: string | undefined;
}

/** Declares a route (an identity function that keeps the literal types of the schemas for `parseRequest`). */
export function apiRoute<const Spec extends ApiRouteSpec>(spec: Spec): Spec {
  return spec;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export type ParsedRequest<Spec extends ApiRouteSpec> =
  | { ok: true; query: Parsed<Spec['query']>; params: Parsed<Spec['params']>; body: Parsed<Spec['body']> }
  | { ok: false; error: string };

/**
 * The request's query, path parameters and JSON body, validated by the route's schemas; or the first problem,
 * as a sentence for a 400. A body that is not JSON is a problem too.
 */
export async function parseRequest<Spec extends ApiRouteSpec>(spec: Spec, c: Context): Promise<ParsedRequest<Spec>> {
  const query = spec.query?.safeParse(c.req.query());
  if (query && !query.success) return { ok: false, error: firstIssue(query.error) };
  const params = spec.params?.safeParse(c.req.param());
  if (params && !params.success) return { ok: false, error: firstIssue(params.error) };
  let body: unknown;
  if (spec.body) {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return { ok: false, error: 'the body must be JSON' };
    }
    const parsed = spec.body.safeParse(json);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    body = parsed.data;
  }
  return { ok: true, query: query?.data, params: params?.data, body } as ParsedRequest<Spec>;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  // Messages written for a field name it already ("limit must be …"); zod's own get the field's name added.
  const field = issue.path.join('.');
  return field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
}
