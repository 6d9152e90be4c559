/**
 * The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json, generated from the routes'
 * declarations (api-routes.ts): the parameters are the very zod schemas the handlers validate with (their
 * input side, as a client sends them), the bodies are the registered response schemas (api-schemas.ts).
 */
import { z } from 'zod';
import { apiSchemas } from './api-schemas.ts';
import { API_ROUTES } from './api-routes.ts';
import type { ApiRouteSpec } from './route-registry.ts';
import { tokenSecurityScheme, writeApiPaths } from './write-schemas.ts';

type JsonSchema = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';

/** A JSON Schema of a zod schema: named sub-schemas become references to the document's components. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id && io === 'output') return { $ref: `${COMPONENT}${id}` };
  // Named schemas inside a parameter or a body are written out in place (descriptions come from .meta()).
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', override: tidy }) as JsonSchema;
  return rest;
}

/**
 * Leaves out what zod writes that says nothing to a reader: the regular expression behind `format: date-time`
 * (the format says it) and the bounds of a safe integer.
 */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.type === 'integer') {
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  }
}

function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    uri: (id) => `${COMPONENT}${id}`,
    unrepresentable: 'any',
    override: tidy,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
      return [name, rest];
    }),
  );
}

/** Parameters of one place (query or path) from their z.object. */
function parameters(schema: z.ZodObject | undefined, place: 'query' | 'path') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, examples, ...rest } = property as JsonSchema & { description?: string; examples?: unknown[] };
    return {
      name,
      in: place,
      required: place === 'path' || (object.required ?? []).includes(name),
      ...(description !== undefined && { description }),
      schema: rest,
      ...(Array.isArray(examples) && examples.length > 0 && { example: examples[0] }),
    };
  });
}

function operation(route: ApiRouteSpec) {
  return {
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    summary: route.summary,
    ...(route.description && { description: route.description }),
    ...(route.tags && { tags: [...route.tags] }),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
    }),
    ...(route.auth && { security: [{ [route.auth === 'bearer' ? 'bearerToken' : 'sessionCookie']: [] }] }),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.headers && {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }),
          ...(response.schema && {
            content: {
              [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') },
            },
          }),
        },
      ]),
    ),
  };
}

export function openApiDocument(publicUrl: string, routes: readonly ApiRouteSpec[] = API_ROUTES) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    const item = paths[route.path]!;
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is declared twice`);
    item[route.method] = operation(route);
  }
  // The token-only write endpoints (and /api/me), described by hand beside their request schemas.
  Object.assign(paths, writeApiPaths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paperboy API',
      version: '1',
      description:
        'Daily papers, in the shapes of the Hugging Face papers API so that its clients work here too, plus search with exact totals and collections. Errors are JSON: {"error": "…"}.',
    },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        ...tokenSecurityScheme,
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token made in the account settings' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'pb_session',
          description: 'The site’s session (browsers); state-changing requests also need the form’s CSRF token',
        },
      },
      ...writeApiPaths,
    },
  };
}
