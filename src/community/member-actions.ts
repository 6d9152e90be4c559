/**
 * What a member does to papers, whoever asks for it: the pages' forms, the JSON API with a token, the MCP
 * tools. Each action checks the same things in the same order with the same rate limits, so a script is held
 * to exactly what a person in a browser is. Outcomes carry an HTTP status and a message for the caller to show.
 */
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import type { Account, CommentRecord, VoteResult } from '../store/community-store.ts';
import { COLLECTION_NAME_MAX } from '../store/collection-store.ts';
import type { Store } from '../store/store.ts';
import { checkCommentBody } from './markdown.ts';
import type { RateLimiter } from './rate-limits.ts';

export type Refusal = {
  ok: false;
  status: 400 | 404 | 409 | 422 | 429;
  /** A short heading for a page. */
  title: string;
  error: string;
  /** Seconds to wait, for 429. */
  retryAfter?: number;
};
export type Outcome<T> = ({ ok: true } & T) | Refusal;

export const DEFAULT_COLLECTION_NAME = 'Reading list';
/** Hops from a reply up to its top-level comment (one, unless older data nests deeper). */
const MAX_HOPS = 10;

function refuse(status: Refusal['status'], title: string, error: string, retryAfter?: number): Refusal {
  return { ok: false, status, title, error, ...(retryAfter !== undefined && { retryAfter }) };
}

/** Seconds as a person says them: "40 seconds", "3 minutes". */
export function waitText(seconds: number): string {
  if (seconds <= 90) return `${Math.max(1, seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Upvotes a paper (`voted` true), takes the vote back (false), or flips it (null, the pages' button). Counted
 * against the member's vote limit either way.
 */
export async function votePaper(
  store: Store,
  limiter: RateLimiter,
  account: Account,
  paperInput: string,
  voted: boolean | null,
  address: string,
  now = new Date(),
): Promise<Outcome<VoteResult & { paperId: string }>> {
  const id = normalizeArxivId(paperInput);
  if (!id) return refuse(404, 'Not found', 'No such paper.');
  const limit = await limiter.hit('vote', String(account.id), address, now);
  if (!limit.allowed)
    return refuse(429, 'Slow down', 'You are voting very fast. Please wait a minute.', limit.retryAfter);
  const result =
    voted === null
      ? await store.community.toggleVote(account.id, id, now)
      : await store.community.setVote(account.id, id, voted, now);
  if (!result) return refuse(404, 'Not found', 'No such paper.');
  return { ok: true, paperId: id, ...result };
}

/** Where to save: one of the member's collections, or a new one (named, or the default name). */
export type SaveTarget = { collectionId: number } | { newCollection: string };

/** Saves a paper to one of the member's collections, or to a new one made for it. */
export async function savePaper(
  store: Store,
  account: Account,
  paperInput: string,
  target: SaveTarget,
  now = new Date(),
): Promise<Outcome<{ paperId: string; collectionId: number; created: boolean }>> {
  const id = normalizeArxivId(paperInput);
  if (!id || !(await store.getPaper(id))) return refuse(404, 'Not found', 'No such paper.');
  let collectionId: number;
  let created = false;
  if ('collectionId' in target) collectionId = target.collectionId;
  else {
    const name = target.newCollection || DEFAULT_COLLECTION_NAME;
    if ([...name].length > COLLECTION_NAME_MAX)
      return refuse(400, 'Not saved', `Names are at most ${COLLECTION_NAME_MAX} characters.`);
    const made = await store.collections.createCollection(account.id, { name, description: '', isPublic: false }, now);
    if (!made)
      return refuse(422, 'Not saved', 'You have as many collections as a member can have. Save to one of them.');
    collectionId = made.id;
    created = true;
  }
  const result = await store.collections.addItem(collectionId, account.id, id, now);
  if (result === null) return refuse(404, 'Not saved', 'There is no such collection of yours, or no such paper.');
  if (result === 'full') return refuse(422, 'Not saved', 'This collection is full. Save to another one.');
  return { ok: true, paperId: id, collectionId, created };
}

/**
 * Posts a comment on a paper, or a reply (attached to the top-level comment of the thread, which must still be
 * open). Refusals about the text (422, 429) have `status` to keep the text for another try.
 */
export async function postComment(
  store: Store,
  limiter: RateLimiter,
  account: Account,
  paperInput: string,
  input: { body: unknown; parent: string | number | null },
  address: string,
  now = new Date(),
): Promise<Outcome<{ comment: CommentRecord; answered: CommentRecord[] }>> {
  const community = store.community;
  const id = normalizeArxivId(paperInput);
  const paper = id ? await store.getPaper(id) : null;
  if (!id || !paper) return refuse(404, 'Paper not found', 'There is no such paper to comment on.');
  let parentId: number | null = null;
  /** The comment replied to and the top of its thread: their authors hear of the reply. */
  let answered: CommentRecord[] = [];
  const parentText = input.parent === null ? '' : String(input.parent).trim();
  if (parentText !== '') {
    if (!/^[0-9]{1,15}$/.test(parentText))
      return refuse(400, 'Bad reply', 'The comment you replied to is not a comment number.');
    const parent = await community.getComment(Number(parentText));
    if (!parent || parent.paperId !== id)
      return refuse(404, 'Comment not found', 'The comment you replied to does not exist on this paper.');
    let root: CommentRecord | null = parent;
    for (let hops = 0; root && root.parentId !== null; hops++)
      root = hops >= MAX_HOPS ? null : await community.getComment(root.parentId);
    if (!root || root.deleted || root.hiddenReason !== null)
      return refuse(
        409,
        'Replies are closed',
        'The comment you replied to was deleted or hidden, so its thread takes no more replies.',
      );
    parentId = root.id;
    answered = [parent, root];
  }
  const checked = checkCommentBody(input.body);
  if (!checked.ok) return refuse(422, 'Not posted', checked.message);
  const limit = await limiter.hit('comment', String(account.id), address, now);
  if (!limit.allowed)
    return refuse(
      429,
      'Slow down',
      `You are commenting very fast. Please wait ${waitText(limit.retryAfter)} and post again.`,
      limit.retryAfter,
    );
  return { ok: true, comment: await community.addComment(id, account.id, parentId, checked.body, now), answered };
}
