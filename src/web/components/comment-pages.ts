/** The pages of the comment routes: editing a comment, and a comment that could not be posted (text kept). */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import type { CommentRecord } from '../../store/community-store.ts';
import type { PageOptions } from '../layout.ts';
import { paperUrl } from '../../domain/urls.ts';
import type { Viewer } from '../../http/viewer.ts';
import { commentAnchor, commentForm, commentUrl, commentsUrl } from './comment.ts';

/** The longest text given back in a form after a refusal. */
const KEEP_CHARS = 40_000;

export function editCommentPage(
  viewer: Viewer,
  comment: CommentRecord,
  paper: Paper | null,
  options: { value?: string; error?: string } = {},
): PageOptions {
  const back = `${paperUrl(comment.paperId)}#${commentAnchor(comment.id)}`;
  return {
    title: 'Edit your comment',
    viewer,
    body: html`<section class="form-page comment-page">
<h1>Edit your comment</h1>
<p class="comment-page-context">On <a href="${back}">${paper?.title ?? `arXiv:${comment.paperId}`}</a></p>
${options.error ? html`<p class="notice notice-error" role="alert">${options.error}</p>` : ''}
${commentForm({
  action: commentUrl(comment.id, 'edit'),
  csrfToken: viewer.csrfToken,
  fieldId: 'comment-body',
  label: 'Your comment',
  button: 'Save changes',
  value: (options.value ?? comment.body).slice(0, KEEP_CHARS),
  visibleLabel: true,
  autofocus: true,
})}
<p><a href="${back}">Cancel</a></p>
</section>`,
  };
}

export function commentRefusedPage(
  viewer: Viewer,
  paper: Paper,
  options: { value: string; parentId: number | null; error: string },
): PageOptions {
  return {
    title: 'Your comment was not posted',
    viewer,
    body: html`<section class="form-page comment-page">
<h1>Your comment was not posted</h1>
<p class="comment-page-context">On <a href="${paperUrl(paper.id)}#discussion">${paper.title}</a></p>
<p class="notice notice-error" role="alert">${options.error}</p>
${commentForm({
  action: commentsUrl(paper.id),
  csrfToken: viewer.csrfToken,
  parentId: options.parentId,
  fieldId: 'comment-body',
  label: options.parentId === null ? 'Your comment' : 'Your reply',
  button: options.parentId === null ? 'Post comment' : 'Post reply',
  value: options.value.slice(0, KEEP_CHARS),
  visibleLabel: true,
  autofocus: true,
})}
</section>`,
  };
}
