/**
 * The discussion under a paper: comments with one level of replies.
 *
 * Signed-out paper pages are cached as bytes keyed by the store's data version, so what a signed-out
 * viewer sees depends on the store and the paper only: no request address, no "3 hours ago".
 */
import { html } from 'hono/html';
import type { AppContext } from '../http/app-context.ts';
import type { Paper } from '../domain/types.ts';
import type { CommentRecord } from '../store/community-store.ts';
import type { AuthorClaim } from '../store/claim-store.ts';
import type { Html } from './html.ts';
import type { Viewer } from '../http/viewer.ts';
import { plural } from '../domain/format.ts';
import { paperUrl, signInUrl } from '../domain/urls.ts';
import { commentForm, commentItem, commentState, commentsUrl } from './components/comment.ts';
import { reportControl } from './components/report-control.ts';
import { mentionedHandles } from '../community/mentions.ts';

export interface Thread {
  comment: CommentRecord;
  replies: CommentRecord[];
}

/**
 * Top-level comments, oldest first, each with its replies, oldest first. A reply to a reply belongs to
 * the top-level comment above it. Deleted replies disappear; a deleted top-level comment stays as a
 * placeholder only while replies remain under it. Hidden comments stay as placeholders.
 */
export function threadsOf(comments: readonly CommentRecord[]): Thread[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const rootOf = (comment: CommentRecord): CommentRecord => {
    let current = comment;
    for (let hops = 0; current.parentId !== null && hops < 100; hops++) {
      const parent = byId.get(current.parentId);
      if (!parent) break;
      current = parent;
    }
    return current;
  };
  const threads = new Map<number, Thread>();
  const sorted = [...comments].sort((a, b) => a.id - b.id);
  for (const comment of sorted) {
    if (comment.parentId === null) threads.set(comment.id, { comment, replies: [] });
  }
  for (const comment of sorted) {
    if (comment.parentId === null || commentState(comment) === 'deleted') continue;
    threads.get(rootOf(comment).id)?.replies.push(comment);
  }
  return [...threads.values()].filter((t) => commentState(t.comment) !== 'deleted' || t.replies.length > 0);
}

/** Comments that count: neither deleted nor hidden. */
export function liveCount(comments: readonly CommentRecord[]): number {
  return comments.filter((c) => commentState(c) === 'visible').length;
}

/** `claims`: the paper's authorship claims, when the caller read them already (approved claimants get a badge). */
export async function discussionSection(
  ctx: AppContext,
  paper: Paper,
  viewer: Viewer,
  claims?: readonly AuthorClaim[],
): Promise<Html> {
  const [comments, paperClaims] = await Promise.all([
    ctx.store.community.commentsOn(paper.id),
    claims ?? ctx.store.claims.claimsOnPaper(paper.id),
  ]);
  const authors = new Set(paperClaims.filter((k) => k.status === 'approved').map((k) => k.member.id));
  return discussionHtml(paper, comments, viewer, authors, await mentionedMembers(ctx, comments));
}

/** The members the shown comments mention who exist (handle in lower case → handle): their mentions link. */
async function mentionedMembers(
  ctx: AppContext,
  comments: readonly CommentRecord[],
): Promise<ReadonlyMap<string, string>> {
  const handles = new Set(
    comments.filter((c) => commentState(c) === 'visible').flatMap((c) => mentionedHandles(c.body)),
  );
  const members = await ctx.store.notifications.membersByHandle([...handles]);
  return new Map(members.map((m) => [m.name.toLowerCase(), m.name]));
}

export function discussionHtml(
  paper: Paper,
  comments: readonly CommentRecord[],
  viewer: Viewer,
  verifiedAuthors: ReadonlySet<number> = new Set(),
  mentions: ReadonlyMap<string, string> = new Map(),
): Html {
  const threads = threadsOf(comments);
  const count = liveCount(comments);
  const compose = viewer.account
    ? commentForm({
        action: commentsUrl(paper.id),
        csrfToken: viewer.csrfToken,
        fieldId: 'comment-body',
        label: 'Add a comment',
        button: 'Post comment',
        visibleLabel: true,
      })
    : html`<p class="discussion-signin"><a href="${signInUrl(paperUrl(paper.id))}">Sign in</a> to join the discussion.</p>`;
  return html`<section class="paper-section discussion" id="discussion" aria-labelledby="discussion-heading">
<h2 id="discussion-heading">Discussion${count > 0 ? html` <span class="discussion-count">${plural(count, 'comment')}</span>` : ''}</h2>
${compose}
${
  threads.length === 0
    ? html`<p class="discussion-empty">No comments yet.${viewer.account ? ' Start the discussion.' : ''}</p>`
    : html`<ol class="comment-list">${threads.map((thread) => {
        const threadOpen = commentState(thread.comment) === 'visible';
        return html`<li class="comment-thread">
${commentItem(thread.comment, { viewer, threadOpen, topLevel: true, verifiedAuthors, mentions })}
${
  thread.replies.length > 0
    ? html`<ol class="comment-replies">${thread.replies.map(
        (reply) =>
          html`<li>${commentItem(reply, { viewer, threadOpen, topLevel: false, verifiedAuthors, mentions })}</li>`,
      )}</ol>`
    : ''
}
</li>`;
      })}</ol>`
}
${viewer.account ? reportControl({ kind: 'paper', id: paper.id }, viewer.csrfToken, 'paper-report') : ''}
</section>`;
}
