/**
 * What a member's script does with a personal access token, as JSON: upvote, save, submit, comment, edit a
 * paper's links (request bodies in write-schemas.ts). The same services as the pages' forms
 * (community/member-actions.ts, community/submissions.ts, community/paper-links.ts), so rate limits, permissions
 * and moderation are the pages' own. Who is asking was settled by the auth middleware (web/auth/auth.ts): a token,
 * never the session cookie, and a read-only token was refused there already; the handlers check again, since
 * nothing else may reach them.
 */
import { notifyComment } from '../community/notifications.ts';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { AppContext } from '../http/app-context.ts';
import type { Account } from '../store/community-store.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import type { SubmissionService } from '../community/submissions.ts';
import { mayWrite } from '../community/api-tokens.ts';
import { postComment, savePaper, votePaper, type Refusal } from '../community/member-actions.ts';
import { PaperLinksService } from '../community/paper-links.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { paperUrl } from '../domain/urls.ts';
import { apiError } from './api-error.ts';
import {
  bodyProblem,
  commentRequest,
  linksRequest,
  saveRequest,
  submitRequest,
  upvoteRequest,
} from './write-schemas.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';

export function registerWriteApi(
  app: Hono,
  ctx: AppContext,
  limiter: RateLimiter,
  submissions: SubmissionService,
): void {
  const { store } = ctx;
  const links = new PaperLinksService({ store, limiter });

  app.get('/api/me', (c) => {
    const { account, token } = c.get('auth');
    if (!account || !token) return needsToken(c);
    return c.json({ name: account.name, fullname: account.fullname, scope: token.scope, token: token.name });
  });

  app.post(`/api/papers/${PAPER_ID_PARAM}/upvote`, async (c) => {
    const me = writer(c);
    if (me instanceof Response) return me;
    const body = await readBody(c, upvoteRequest, {});
    if (body instanceof Response) return body;
    const result = await votePaper(store, limiter, me, c.req.param('id'), body.upvoted, c.get('auth').address);
    if (!result.ok) return refused(c, result);
    return c.json({ paper: result.paperId, upvoted: result.voted, upvotes: result.upvotes });
  });

  app.post(`/api/papers/${PAPER_ID_PARAM}/save`, async (c) => {
    const me = writer(c);
    if (me instanceof Response) return me;
    const body = await readBody(c, saveRequest);
    if (body instanceof Response) return body;
    const target = 'collection' in body ? { collectionId: body.collection } : { newCollection: body.newCollection };
    const result = await savePaper(store, me, c.req.param('id'), target);
    if (!result.ok) return refused(c, result);
    return c.json({ paper: result.paperId, collection: result.collectionId, created: result.created });
  });

  app.post('/api/submissions', async (c) => {
    const me = writer(c);
    if (me instanceof Response) return me;
    const body = await readBody(c, submitRequest);
    if (body instanceof Response) return body;
    const outcome = await submissions.submit(body.paper, me, c.get('auth').address);
    if (outcome.status === 'refused') return apiError(c, outcome.httpStatus, outcome.message);
    ctx.logger.info(
      { member: me.name, paper: outcome.paperId, status: outcome.status, via: 'token' },
      'paper submitted',
    );
    return c.json({ paper: outcome.paperId, status: outcome.status, day: outcome.day });
  });

  app.post(`/api/papers/${PAPER_ID_PARAM}/comments`, async (c) => {
    const me = writer(c);
    if (me instanceof Response) return me;
    const body = await readBody(c, commentRequest);
    if (body instanceof Response) return body;
    const input = { body: body.body, parent: body.parent ?? null };
    const result = await postComment(store, limiter, me, c.req.param('id'), input, c.get('auth').address);
    if (!result.ok) return refused(c, result);
    const { comment } = result;
    // The comment is stored whatever happens to its notifications: a failure there is logged, not the member's.
    await notifyComment(store, comment, me, result.answered).catch((error: unknown) =>
      ctx.logger.error({ err: error }, 'notifying members of a comment failed'),
    );
    return c.json(
      {
        id: comment.id,
        paper: comment.paperId,
        parent: comment.parentId,
        body: comment.body,
        createdAt: comment.createdAt,
        url: `${ctx.config.publicUrl}${paperUrl(comment.paperId)}#comment-${comment.id}`,
      },
      201,
    );
  });

  app.post(`/api/papers/${PAPER_ID_PARAM}/links`, async (c) => {
    const me = writer(c);
    if (me instanceof Response) return me;
    const body = await readBody(c, linksRequest);
    if (body instanceof Response) return body;
    const id = normalizeArxivId(c.req.param('id'));
    const outcome = id
      ? await links.edit(me, id, body, body.expected, c.get('auth').address)
      : ({ status: 'missing' } as const);
    switch (outcome.status) {
      case 'changed':
      case 'unchanged':
        if (outcome.status === 'changed')
          ctx.logger.info({ member: me.name, paper: id, links: outcome.links, via: 'token' }, 'paper links edited');
        return c.json({ paper: id, changed: outcome.status === 'changed', ...outcome.links });
      case 'invalid':
        return apiError(c, 400, Object.values(outcome.errors).join(' '), { errors: outcome.errors });
      case 'conflict':
        return apiError(c, 409, 'The links changed since you read them: nothing was written.', {
          links: outcome.links,
        });
      case 'rate-limited':
        c.header('Retry-After', String(outcome.retryAfter));
        return apiError(c, 429, 'You have edited many links lately. Please wait a few minutes.');
      case 'forbidden':
        return apiError(c, 403, "Only the paper's submitter, its verified authors and moderators edit its links.");
      case 'missing':
        return apiError(c, 404, 'Paperboy has no such paper.');
    }
  });
}

/** The member of a write-scope token, or the refusal. */
function writer(c: Context): Account | Response {
  const { account, token } = c.get('auth');
  if (!account || !token) return needsToken(c);
  if (!mayWrite(token.scope)) return apiError(c, 403, 'This token may only read.');
  return account;
}

function needsToken(c: Context): Response {
  c.header('WWW-Authenticate', 'Bearer realm="paperboy"');
  return apiError(c, 401, 'Send a personal access token: Authorization: Bearer pb_… (make one in Settings).');
}

/** The JSON body checked by `schema` (an absent body counts as `empty` where one is optional), or a 400. */
async function readBody<T extends z.ZodType>(c: Context, schema: T, empty?: unknown): Promise<z.output<T> | Response> {
  const text = await c.req.text();
  let value: unknown = empty;
  if (text.trim() !== '' || empty === undefined) {
    if (!(c.req.header('content-type') ?? '').startsWith('application/json'))
      return apiError(c, 415, 'Send the body as JSON (Content-Type: application/json).');
    try {
      value = JSON.parse(text);
    } catch {
      return apiError(c, 400, 'The body is not valid JSON.');
    }
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : apiError(c, 400, bodyProblem(parsed.error));
}

function refused(c: Context, refusal: Refusal): Response {
  if (refusal.retryAfter !== undefined) c.header('Retry-After', String(refusal.retryAfter));
  return apiError(c, refusal.status, refusal.error);
}
