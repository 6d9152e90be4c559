/**
 * The JSON write endpoints a member's token may call (src/api/write-routes.ts): their request bodies as zod
 * schemas, and their OpenAPI description made from those schemas, kept together so that /api/openapi.json
 * cannot drift from what the handlers accept.
 */
import { z } from 'zod';
import { COMMENT_MAX_CHARS } from '../community/markdown.ts';
import { COLLECTION_NAME_MAX } from '../store/collection-store.ts';

const paperId = z.string().min(1).max(100).describe('An arXiv id (2607.12345) or link');

export const upvoteRequest = z
  .object({
    upvoted: z.boolean().default(true).describe('true upvotes (again: nothing changes); false takes the vote back'),
  })
  .strict();

export const saveRequest = z.union([
  z.object({ collection: z.number().int().positive().describe('Id of one of your collections') }).strict(),
  z
    .object({
      newCollection: z
        .string()
        .trim()
        .min(1)
        .max(COLLECTION_NAME_MAX)
        .describe('Name of a new private collection made for this paper'),
    })
    .strict(),
]);

export const submitRequest = z.object({ paper: paperId }).strict();

export const commentRequest = z
  .object({
    body: z.string().describe(`Markdown, at most ${COMMENT_MAX_CHARS} characters`),
    parent: z.number().int().positive().optional().describe('Id of the comment this replies to'),
  })
  .strict();

const link = (what: string) =>
  z.string().max(2000).nullable().optional().describe(`${what}; null or "" removes it, left out keeps it`);
const links = z.object({ githubRepo: z.string().nullable(), projectPage: z.string().nullable() }).strict();

export const linksRequest = z
  .object({
    githubRepo: link('The GitHub repository, https://github.com/OWNER/REPO'),
    projectPage: link('The project page, an https:// address'),
    expected: links
      .optional()
      .describe('The links as you last read them: if they have changed since, nothing is written (409)'),
  })
  .strict();

/** The first problem of a body, as the message of a 400. */
export function bodyProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(schema) } } });
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const idParameter = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const security = [{ token: [] }];
const refusals = {
  401: error('No token, or a token that is unknown, revoked, or of a banned or deleted member'),
  403: error('A read-only token'),
  429: error('Over the rate limit (Retry-After says how long to wait)'),
};

const voteResult = z.object({ paper: z.string(), upvoted: z.boolean(), upvotes: z.number().int() });
const saveResult = z.object({ paper: z.string(), collection: z.number().int(), created: z.boolean() });
const submitResult = z.object({
  paper: z.string(),
  status: z.enum(['added', 'exists']),
  day: z.string().describe('The day it is on the feed'),
});
const commentResult = z.object({
  id: z.number().int(),
  paper: z.string(),
  parent: z.number().int().nullable(),
  body: z.string(),
  createdAt: z.string(),
  url: z.string(),
});
const linksResult = z.object({
  paper: z.string(),
  changed: z.boolean().describe('False when the links were already these'),
  githubRepo: z.string().nullable(),
  projectPage: z.string().nullable(),
});
const linksConflict = z.object({
  error: z.string(),
  links: links.describe('The links as they are now'),
});
const linksInvalid = z.object({
  error: z.string(),
  errors: z.object({ githubRepo: z.string(), projectPage: z.string() }).partial().describe('What is wrong, by field'),
});

const meResult = z.object({
  name: z.string(),
  fullname: z.string(),
  scope: z.enum(['read', 'write']),
  token: z.string().describe('The name given to the token'),
});

/** The write endpoints (and GET /api/me) as OpenAPI paths, and the bearer scheme they use. */
export const writeApiPaths = {
  '/api/me': {
    get: {
      parameters: [],
      summary: 'Who the token acts as',
      security,
      responses: { 200: { description: 'The member and the token', ...json(meResult) }, 401: refusals[401] },
    },
  },
  '/api/papers/{id}/upvote': {
    post: {
      summary: 'Upvote a paper, or take the vote back',
      security,
      parameters: idParameter,
      requestBody: { required: false, ...json(upvoteRequest) },
      responses: { 200: { description: 'The vote', ...json(voteResult) }, 404: error('Unknown paper'), ...refusals },
    },
  },
  '/api/papers/{id}/save': {
    post: {
      summary: 'Save a paper to one of your collections, or to a new one',
      security,
      parameters: idParameter,
      requestBody: { required: true, ...json(saveRequest) },
      responses: {
        200: { description: 'Saved', ...json(saveResult) },
        404: error('Unknown paper or collection'),
        422: error('Collection full, or as many collections as a member can have'),
        ...refusals,
      },
    },
  },
  '/api/submissions': {
    post: {
      parameters: [],
      summary: "Submit a paper to today's feed",
      security,
      requestBody: { required: true, ...json(submitRequest) },
      responses: {
        200: { description: 'Submitted, or on the feed already', ...json(submitResult) },
        404: error('arXiv has no such paper'),
        422: error('Withdrawn, or older than the submission window'),
        502: error('arXiv could not be reached'),
        ...refusals,
      },
    },
  },
  '/api/papers/{id}/comments': {
    post: {
      summary: 'Comment on a paper, or reply to a comment',
      security,
      parameters: idParameter,
      requestBody: { required: true, ...json(commentRequest) },
      responses: {
        201: { description: 'The comment', ...json(commentResult) },
        404: error('Unknown paper or parent comment'),
        409: error('The thread replied to is closed'),
        422: error('Empty or too long'),
        ...refusals,
      },
    },
  },
  '/api/papers/{id}/links': {
    post: {
      summary: "Edit a paper's GitHub repository and project page (its submitter, verified authors, moderators)",
      security,
      parameters: idParameter,
      requestBody: { required: true, ...json(linksRequest) },
      responses: {
        200: { description: 'The links as they are now', ...json(linksResult) },
        400: { description: 'A link that is not valid: nothing was written', ...json(linksInvalid) },
        404: error('Unknown paper'),
        409: { description: 'The links changed since they were read: nothing was written', ...json(linksConflict) },
        ...refusals,
        403: error('A read-only token, or a member who may not edit these links'),
      },
    },
  },
};

export const tokenSecurityScheme = {
  token: {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal access token (pb_…), made in Settings; write endpoints need one with the write scope',
  },
};
