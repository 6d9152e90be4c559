/**
 * Comments: post and reply, edit and delete your own, moderators hide. Handlers parse, authorize, call,
 * render; every POST ends in a 303 to the paper page at the comment (or a page saying why not, with the
 * text kept). CSRF is checked before any of this (web/auth/auth.ts); banned members have no session.
 */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import type { Account, CommentRecord } from '../store/community-store.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { checkCommentBody } from '../community/markdown.ts';
import { postComment, waitText } from '../community/member-actions.ts';
import { outranks } from '../community/roles.ts';
import { hideComment } from '../community/moderation.ts';
import { notifyComment } from '../community/notifications.ts';
import { layout, type PageOptions } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { paperUrl, signInUrl } from '../domain/urls.ts';
import { isModerator, viewerFor } from '../http/viewer.ts';
import { commentAnchor, commentUrl } from './components/comment.ts';
import { commentRefusedPage, editCommentPage } from './components/comment-pages.ts';

/** An arXiv id, new style or old style with its one slash. */
const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const COMMENT_ID_PARAM = ':id{[0-9]{1,15}}';
const MAX_REASON = 500;

type Status = 400 | 403 | 404 | 409 | 422 | 429;

export function registerCommentRoutes(app: Hono, ctx: AppContext, limiter: RateLimiter): void {
  const { store } = ctx;
  const community = store.community;

  const at = (comment: Pick<CommentRecord, 'id' | 'paperId'>) =>
    `${paperUrl(comment.paperId)}#${commentAnchor(comment.id)}`;

  /** The comment is stored whatever happens to its notifications: a failure there is logged, not the member's. */
  const notifyQuietly = (notifying: Promise<unknown>) =>
    notifying.catch((error: unknown) => ctx.logger.error({ err: error }, 'notifying members of a comment failed'));

  app.post(`/papers/${PAPER_ID_PARAM}/comments`, async (c) => {
    const account = c.get('auth').account;
    const text = c.req.param('id');
    if (!account) return c.redirect(signInUrl(paperUrl(normalizeArxivId(text) ?? text)), 303);
    const form = await c.req.parseBody();
    const typed = typeof form.body === 'string' ? form.body : '';
    const parent = typeof form.parent === 'string' ? form.parent : null;
    const posted = await postComment(store, limiter, account, text, { body: typed, parent }, c.get('auth').address);
    if (posted.ok) {
      await notifyQuietly(notifyComment(store, posted.comment, account, posted.answered));
      return c.redirect(at(posted.comment), 303);
    }
    // About the text: the form again, with the text kept; anything else: a page saying why.
    if (posted.status !== 422 && posted.status !== 429) return problem(c, posted.status, posted.title, posted.error);
    if (posted.retryAfter !== undefined) c.header('Retry-After', String(posted.retryAfter));
    const paper = await store.getPaper(normalizeArxivId(text) ?? '');
    if (!paper) return problem(c, 404, 'Paper not found', 'There is no such paper to comment on.');
    const parentId = parent === null || parent.trim() === '' ? null : Number(parent);
    const error =
      posted.status === 429
        ? `You are commenting very fast. Please wait ${waitText(posted.retryAfter ?? 60)} and post again; your text is kept below.`
        : posted.error;
    return page(
      c,
      commentRefusedPage(await viewerFor(c, store, []), paper, { value: typed, parentId, error }),
      posted.status,
    );
  });

  /** The comment, when the signed-in member may edit or delete it; otherwise the response saying why not. */
  const ownComment = async (c: Context, account: Account): Promise<CommentRecord | Response> => {
    const comment = await community.getComment(Number(c.req.param('id')));
    if (!comment || comment.deleted)
      return problem(c, 404, 'Comment not found', 'This comment does not exist or was deleted.');
    if (comment.author.id !== account.id)
      return problem(c, 403, 'Not your comment', 'Only its author can change or delete a comment.');
    if (comment.hiddenReason !== null)
      return problem(c, 403, 'Comment hidden', 'The moderators hid this comment; it can no longer be changed.');
    return comment;
  };

  app.get(`/comments/${COMMENT_ID_PARAM}/edit`, async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl(commentUrl(Number(c.req.param('id')), 'edit')), 303);
    const comment = await ownComment(c, account);
    if (comment instanceof Response) return comment;
    return page(c, editCommentPage(await viewerFor(c, store, []), comment, await store.getPaper(comment.paperId)));
  });

  app.post(`/comments/${COMMENT_ID_PARAM}/edit`, async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl(commentUrl(Number(c.req.param('id')), 'edit')), 303);
    const comment = await ownComment(c, account);
    if (comment instanceof Response) return comment;
    const form = await c.req.parseBody();
    const typed = typeof form.body === 'string' ? form.body : '';
    const refused = async (status: Status, error: string) =>
      page(
        c,
        editCommentPage(await viewerFor(c, store, []), comment, await store.getPaper(comment.paperId), {
          value: typed,
          error,
        }),
        status,
      );
    const checked = checkCommentBody(typed);
    if (!checked.ok) return refused(422, checked.message);
    if (checked.body === comment.body) return c.redirect(at(comment), 303);
    const limit = await limiter.hit('comment', String(account.id), c.get('auth').address);
    if (!limit.allowed) {
      c.header('Retry-After', String(limit.retryAfter));
      return refused(
        429,
        `You are changing comments very fast. Please wait ${waitText(limit.retryAfter)} and save again.`,
      );
    }
    const edited = await community.editComment(comment.id, account.id, checked.body, new Date());
    if (!edited) return problem(c, 404, 'Comment not found', 'This comment was deleted or hidden meanwhile.');
    // Members newly mentioned hear of it (those notified before are not notified again).
    await notifyQuietly(notifyComment(store, edited, account, []));
    return c.redirect(at(edited), 303);
  });

  app.post(`/comments/${COMMENT_ID_PARAM}/delete`, async (c) => {
    const account = c.get('auth').account;
    const comment = await community.getComment(Number(c.req.param('id')));
    if (!account) return c.redirect(signInUrl(comment ? paperUrl(comment.paperId) : '/'), 303);
    const own = await ownCommentOrHidden(c, account, comment);
    if (own instanceof Response) return own;
    const deleted = await community.deleteComment(own.id, account.id, new Date());
    if (!deleted) return problem(c, 404, 'Comment not found', 'This comment was deleted already.');
    // A top-level comment with replies stays as a placeholder; otherwise it is gone: back to the discussion.
    const hasReplies =
      own.parentId === null &&
      (await community.commentsOn(own.paperId)).some((k) => k.parentId === own.id && !k.deleted);
    return c.redirect(hasReplies ? at(own) : `${paperUrl(own.paperId)}#discussion`, 303);
  });

  app.post(`/comments/${COMMENT_ID_PARAM}/hide`, async (c) => {
    const account = c.get('auth').account;
    const comment = await community.getComment(Number(c.req.param('id')));
    if (!account) return c.redirect(signInUrl(comment ? paperUrl(comment.paperId) : '/'), 303);
    if (!isModerator(account))
      return problem(c, 403, 'Moderators only', 'Only the moderators of this instance can hide comments.');
    if (!comment) return problem(c, 404, 'Comment not found', 'There is no such comment.');
    if (!outranks(account, comment.author))
      return problem(
        c,
        403,
        'Not yours to moderate',
        'Comments of moderators and administrators are moderated by those above them only.',
      );
    const form = await c.req.parseBody();
    const reason = typeof form.reason === 'string' ? form.reason.trim().slice(0, MAX_REASON) : '';
    if (reason === '') return problem(c, 400, 'A reason is needed', 'Every moderation action records why.');
    const hidden = await hideComment(store, account, comment, reason);
    if (!hidden) return problem(c, 404, 'Nothing to do', 'This comment is hidden already.');
    ctx.logger.warn(
      { moderator: account.name, comment: comment.id, paper: comment.paperId, reason },
      'moderation: comment hidden',
    );
    return c.redirect(at(comment), 303);
  });

  /** Deleting: the author's own comment, also when the moderators hid it (the author may still take it down). */
  const ownCommentOrHidden = async (
    c: Context,
    account: Account,
    comment: CommentRecord | null,
  ): Promise<CommentRecord | Response> => {
    if (!comment || comment.deleted)
      return problem(c, 404, 'Comment not found', 'This comment does not exist or was deleted.');
    if (comment.author.id !== account.id)
      return problem(c, 403, 'Not your comment', 'Only its author can delete a comment.');
    return comment;
  };
}

function page(c: Context, options: PageOptions, status: 200 | Status = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options), status);
}

function problem(c: Context, status: Status, title: string, message: string) {
  c.header('Cache-Control', 'no-store');
  return c.html(renderErrorPage(status, title, message), status);
}
