/** The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json. */
import { tokenSecurityScheme, writeApiPaths } from './write-schemas.ts';

const isoDateTime = { type: 'string', format: 'date-time', pattern: 'Z$', description: 'UTC, always ending in Z' };

const schemas = {
  Author: {
    type: 'object',
    required: ['_id', 'name', 'hidden'],
    properties: { _id: { type: 'string' }, name: { type: 'string' }, hidden: { type: 'boolean' } },
  },
  User: {
    type: 'object',
    required: ['_id', 'name', 'fullname', 'type'],
    properties: {
      _id: { type: 'string' },
      name: { type: 'string' },
      fullname: { type: 'string' },
      avatarUrl: { type: ['string', 'null'] },
      type: { const: 'user' },
      isPro: { type: 'boolean' },
    },
  },
  Organization: {
    type: 'object',
    required: ['_id', 'name', 'fullname'],
    properties: {
      _id: { type: 'string' },
      name: { type: 'string' },
      fullname: { type: 'string' },
      avatar: { type: ['string', 'null'] },
    },
  },
  Paper: {
    type: 'object',
    required: ['id', 'authors', 'publishedAt', 'title', 'summary', 'upvotes', 'discussionId'],
    properties: {
      id: { type: 'string', description: 'arXiv id without version' },
      authors: { type: 'array', items: { $ref: '#/components/schemas/Author' } },
      publishedAt: isoDateTime,
      submittedOnDailyAt: isoDateTime,
      submittedOnDailyBy: { $ref: '#/components/schemas/User' },
      title: { type: 'string' },
      summary: { type: 'string' },
      upvotes: { type: 'integer' },
      discussionId: { type: 'string' },
      ai_summary: { type: 'string' },
      ai_keywords: { type: 'array', items: { type: 'string' } },
      githubRepo: { type: 'string' },
      githubStars: { type: 'integer' },
      projectPage: { type: 'string' },
      organization: { $ref: '#/components/schemas/Organization' },
      withdrawnAt: isoDateTime,
    },
  },
  FlatPaper: {
    allOf: [
      { $ref: '#/components/schemas/Paper' },
      {
        type: 'object',
        required: ['numComments'],
        properties: {
          numComments: {
            type: 'integer',
            description: 'Comments on Hugging Face when imported plus comments on this instance',
          },
        },
      },
    ],
  },
  DailyItem: {
    type: 'object',
    required: [
      'paper',
      'publishedAt',
      'title',
      'summary',
      'thumbnail',
      'numComments',
      'submittedBy',
      'isAuthorParticipating',
    ],
    properties: {
      paper: { $ref: '#/components/schemas/Paper' },
      publishedAt: isoDateTime,
      title: { type: 'string' },
      summary: { type: 'string' },
      thumbnail: { type: 'string' },
      numComments: {
        type: 'integer',
        description: 'Comments on Hugging Face when imported plus comments on this instance',
      },
      submittedBy: { oneOf: [{ $ref: '#/components/schemas/User' }, { type: 'null' }] },
      organization: { $ref: '#/components/schemas/Organization' },
      isAuthorParticipating: { type: 'boolean' },
      ai_summary: { type: 'string' },
      ai_keywords: { type: 'array', items: { type: 'string' } },
      githubRepo: { type: 'string' },
      githubStars: { type: 'integer' },
      projectPage: { type: 'string' },
    },
  },
  Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
};

const errorResponse = (description: string) => ({
  description,
  headers: { 'X-Error-Message': { schema: { type: 'string' } } },
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const query = (name: string, description: string, schema: object) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paperboy API',
      version: '1',
      description: 'Daily papers, in the shapes of the Hugging Face papers API, so that its clients work here too.',
    },
    servers: [{ url: publicUrl }],
    paths: {
      '/api/daily_papers': {
        get: {
          summary: 'Papers of the daily feed',
          description: 'Without date, week or month: every day, newest first. Within a period: most upvoted first.',
          parameters: [
            query('date', 'A day, YYYY-MM-DD', { type: 'string', format: 'date' }),
            query('week', 'An ISO week, YYYY-Www', { type: 'string', pattern: '^\\d{4}-W\\d{2}$' }),
            query('month', 'A month, YYYY-MM', { type: 'string', pattern: '^\\d{4}-\\d{2}$' }),
            query('sort', 'Order', { type: 'string', enum: ['publishedAt', 'trending'] }),
            query('submitter', 'Only papers submitted by this member', { type: 'string' }),
            query('p', 'Page, from 0', { type: 'integer', minimum: 0 }),
            query('limit', 'Items per page', { type: 'integer', minimum: 1, maximum: 100, default: 50 }),
          ],
          responses: {
            200: {
              description: 'Items',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/DailyItem' } } },
              },
            },
            400: errorResponse('Invalid parameter'),
          },
        },
      },
      '/api/papers': {
        get: {
          summary: 'All papers, newest first, by cursor',
          parameters: [
            query('cursor', 'From the Link rel="next" header of the previous page', { type: 'string' }),
            query('limit', 'Papers per page (kept in the Link header)', {
              type: 'integer',
              minimum: 1,
              maximum: 100,
              default: 50,
            }),
          ],
          responses: {
            200: {
              description: 'Papers',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/FlatPaper' } } },
              },
            },
            400: errorResponse('Invalid cursor or limit'),
          },
        },
      },
      '/api/papers/{id}': {
        get: {
          summary: 'One paper',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'The paper',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/FlatPaper' } } },
            },
            404: errorResponse('Unknown paper'),
          },
        },
      },
      '/papers/{id}.md': {
        get: {
          summary: 'One paper as Markdown',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'Markdown', content: { 'text/markdown': { schema: { type: 'string' } } } },
            404: { description: 'Unknown paper' },
          },
        },
      },
      ...writeApiPaths,
    },
    components: { schemas, securitySchemes: tokenSecurityScheme },
  };
}
