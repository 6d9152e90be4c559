/**
 * One comment of a discussion, with the forms a viewer may use on it: reply (anyone signed in, while the
 * thread is open), edit and delete (its author), hide (moderators). Forms sit in <details>, so they take
 * no room until asked for and work without JavaScript.
 *
 * The Markdown body is the only raw HTML on the page: renderMarkdown() escapes everything it does not
 * build itself (see community/markdown.ts). Names and reasons go through the escaping template.
 */
import { html, raw } from 'hono/html';
import type { CommentRecord } from '../../store/community-store.ts';
import { COMMENT_MAX_CHARS, renderMarkdown } from '../../community/markdown.ts';
import { outranks } from '../../community/roles.ts';
import { csrfField } from '../csrf.ts';
import { formatDay } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import { memberUrl, paperUrl } from '../../domain/urls.ts';
import { isModerator, type Viewer } from '../../http/viewer.ts';
import { avatar } from './avatar.ts';
import { reportControl } from './report-control.ts';
import { commentAuthorBadge } from './authorship.ts';

export const HIDDEN_TEXT = '[hidden by moderators]';
export const DELETED_TEXT = '[deleted]';

export function commentAnchor(id: number): string {
  return `comment-${id}`;
}

export function commentsUrl(paperId: string): string {
  return `${paperUrl(paperId)}/comments`;
}

export function commentUrl(id: number, action: 'edit' | 'delete' | 'hide'): string {
  return `/comments/${id}/${action}`;
}

/** The state a comment is shown in. */
export function commentState(comment: CommentRecord): 'visible' | 'deleted' | 'hidden' {
  // Deleted first: a hidden comment its author then deleted goes like any deleted one (the log keeps the hiding).
  if (comment.deleted) return 'deleted';
  return comment.hiddenReason !== null ? 'hidden' : 'visible';
}

export interface CommentOptions {
  viewer: Viewer;
  /** Whether the thread takes replies (its top-level comment is neither deleted nor hidden). */
  threadOpen: boolean;
  /** The top-level comment is being shown (replies are attached to it). */
  topLevel: boolean;
  /** Members who are verified authors of the paper: their comments carry a badge. */
  verifiedAuthors?: ReadonlySet<number> | undefined;
  /** Members whose `@handle` links to their page (handle in lower case → handle): those that exist. */
  mentions?: ReadonlyMap<string, string> | undefined;
}

export function commentItem(
  comment: CommentRecord,
  { viewer, threadOpen, topLevel, verifiedAuthors, mentions }: CommentOptions,
): Html {
  const state = commentState(comment);
  const anchor = commentAnchor(comment.id);
  if (state !== 'visible') {
    const moderatorNote =
      state === 'hidden' && isModerator(viewer.account)
        ? html` <span class="comment-reason">Reason: ${comment.hiddenReason}</span>`
        : '';
    return html`<article class="comment comment-gone" id="${anchor}">
<p class="comment-placeholder">${state === 'hidden' ? HIDDEN_TEXT : DELETED_TEXT}${moderatorNote}</p>
</article>`;
  }
  const who = comment.author.fullname || comment.author.name;
  const signature = html`${avatar(who, comment.author.avatarUrl, 'sm')}<span class="comment-author-name">${who}</span>`;
  return html`<article class="comment${topLevel ? '' : ' comment-reply'}" id="${anchor}">
<header class="comment-meta">
${
  comment.author.deletedAt
    ? // A member who deleted their account and kept their comments: no profile to link to.
      html`<span class="comment-author comment-author-deleted">${signature}</span>`
    : html`<a class="comment-author" href="${memberUrl(comment.author.name)}">${signature}</a>`
}${verifiedAuthors?.has(comment.author.id) ? commentAuthorBadge() : ''}
<a class="comment-date" href="#${anchor}" title="${comment.createdAt}"><time datetime="${comment.createdAt}">${formatDay(comment.createdAt)}</time></a>${
    comment.editedAt ? html`<span class="comment-edited" title="Edited ${comment.editedAt}">edited</span>` : ''
  }
</header>
<div class="comment-body">${raw(renderMarkdown(comment.body, mentions))}</div>
${commentActions(comment, viewer, threadOpen)}
</article>`;
}

function commentActions(comment: CommentRecord, viewer: Viewer, threadOpen: boolean): Html {
  const account = viewer.account;
  if (!account) return html``;
  const own = account.id === comment.author.id;
  const actions: Html[] = [];
  if (threadOpen) {
    actions.push(html`<details class="comment-action">
<summary>Reply</summary>
${commentForm({
  action: commentsUrl(comment.paperId),
  csrfToken: viewer.csrfToken,
  parentId: comment.id,
  fieldId: `reply-${comment.id}`,
  label: `Reply to ${comment.author.fullname || comment.author.name}`,
  button: 'Post reply',
})}
</details>`);
  }
  if (own) {
    actions.push(html`<a class="comment-action-link" href="${commentUrl(comment.id, 'edit')}">Edit</a>`);
    actions.push(html`<details class="comment-action">
<summary>Delete</summary>
<form method="post" action="${commentUrl(comment.id, 'delete')}" class="comment-confirm">
${csrfField(viewer.csrfToken)}
<p>Delete this comment? This cannot be undone.</p>
<button type="submit" class="button button-danger">Delete comment</button>
</form>
</details>`);
  }
  if (!own) actions.push(reportControl({ kind: 'comment', id: String(comment.id) }, viewer.csrfToken));
  if (isModerator(account) && outranks(account, comment.author)) {
    actions.push(html`<details class="comment-action">
<summary>Hide</summary>
<form method="post" action="${commentUrl(comment.id, 'hide')}" class="comment-confirm">
${csrfField(viewer.csrfToken)}
<label for="hide-${comment.id}">Reason for hiding (kept in the moderation log)</label>
<input id="hide-${comment.id}" name="reason" required maxlength="500">
<button type="submit" class="button button-danger">Hide comment</button>
</form>
</details>`);
  }
  return actions.length > 0 ? html`<div class="comment-actions">${actions}</div>` : html``;
}

export interface CommentFormOptions {
  action: string;
  csrfToken: string | null;
  parentId?: number | null | undefined;
  /** The textarea's id, unique on the page. */
  fieldId: string;
  label: string;
  button: string;
  value?: string | undefined;
  /** Shows the label (the main form) or keeps it for screen readers only (replies). */
  visibleLabel?: boolean | undefined;
  autofocus?: boolean | undefined;
}

export function commentForm(options: CommentFormOptions): Html {
  return html`<form method="post" action="${options.action}" class="comment-form">
${csrfField(options.csrfToken)}
${options.parentId != null ? html`<input type="hidden" name="parent" value="${options.parentId}">` : ''}
<label for="${options.fieldId}"${options.visibleLabel ? '' : html` class="sr-only"`}>${options.label}</label>
<textarea id="${options.fieldId}" name="body" rows="${options.visibleLabel ? 5 : 3}" maxlength="${COMMENT_MAX_CHARS}" required${
    options.autofocus ? html` autofocus` : ''
  } aria-describedby="${options.fieldId}-hint">${options.value ?? ''}</textarea>
<div class="comment-form-footer">
<p class="comment-hint" id="${options.fieldId}-hint">Markdown: *emphasis*, **bold**, \`code\`, code blocks, [links](https://…), lists, &gt; quotes, math as $x^2$ or $$…$$. HTML is shown as text.</p>
<button type="submit" class="button button-primary">${options.button}</button>
</div>
</form>`;
}
