/**
 * "Save" on a paper card and the paper page: a small form (no JavaScript needed) that puts the paper in one
 * of the member's collections or in a new one, and buttons that take it out again. What the member has is
 * read once per request (MemberLists, set by collection-routes.ts on the request context), so that pages
 * which render cards need no changes to show it.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import type { Account } from '../../store/community-store.ts';
import { COLLECTION_NAME_MAX, type Collection, type CollectionStore } from '../../store/collection-store.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import { paperUrl, signInUrl } from '../../domain/urls.ts';
import { requestContext } from '../../http/viewer.ts';

/** The signed-in member's collections and follows, loaded on first use and kept for the request. */
export class MemberLists {
  readonly account: Account | null;
  readonly csrfToken: string | null;
  readonly returnTo: string;
  readonly #store: CollectionStore;
  #collections: Promise<Collection[]> | null = null;
  readonly #holding = new Map<string, Promise<number[]>>();
  /** Papers asked about since the pending batch was scheduled, and that batch. */
  #asked: string[] = [];
  #batch: Promise<Map<string, number[]>> | null = null;

  constructor(store: CollectionStore, account: Account | null, csrfToken: string | null, returnTo: string) {
    this.#store = store;
    this.account = account;
    this.csrfToken = csrfToken;
    this.returnTo = returnTo;
  }

  collections(): Promise<Collection[]> {
    if (!this.account) return Promise.resolve([]);
    this.#collections ??= this.#store.collectionsOf(this.account.id);
    return this.#collections;
  }

  /**
   * Ids of the member's collections that hold the paper. The cards of a page ask in the same tick while the
   * page renders: their questions go to the store as one query.
   */
  holding(paperId: string): Promise<number[]> {
    const account = this.account;
    if (!account) return Promise.resolve([]);
    let ids = this.#holding.get(paperId);
    if (!ids) {
      if (!this.#batch) {
        const asked = this.#asked;
        this.#batch = Promise.resolve().then(() => {
          this.#batch = null;
          this.#asked = [];
          return this.#store.collectionsHolding(account.id, asked);
        });
      }
      this.#asked.push(paperId);
      ids = this.#batch.then((held) => held.get(paperId) ?? []);
      this.#holding.set(paperId, ids);
    }
    return ids;
  }

  isFollowing(kind: 'organization' | 'author' | 'search', target: string): Promise<boolean> {
    return this.account ? this.#store.isFollowing(this.account.id, kind, target) : Promise.resolve(false);
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    memberLists: MemberLists;
  }
}

/** The lists of the request being handled; none outside a request or before collection-routes' middleware. */
export function currentMemberLists(): MemberLists | undefined {
  return requestContext()?.get('memberLists');
}

/**
 * The control for one paper. `size` card: nothing for signed-out visitors (the vote already invites them);
 * page: a sign-in link for them.
 */
export function saveControl(paper: Paper, size: 'card' | 'page' = 'card'): Html {
  const lists = currentMemberLists();
  if (!lists?.account) {
    return size === 'page'
      ? html`<p class="save-signin"><a class="link-button" href="${signInUrl(paperUrl(paper.id))}"><span aria-hidden="true">☆</span> Sign in to save</a></p>`
      : html``;
  }
  return renderControl(paper, size, lists);
}

async function renderControl(paper: Paper, size: 'card' | 'page', lists: MemberLists) {
  const [collections, holding] = await Promise.all([lists.collections(), lists.holding(paper.id)]);
  const held = collections.filter((c) => holding.includes(c.id));
  const free = collections.filter((c) => !holding.includes(c.id));
  const action = `${paperUrl(paper.id)}/save`;
  const csrf = csrfField(lists.csrfToken);
  const back = html`<input type="hidden" name="return" value="${lists.returnTo}">`;
  return html`<details class="save save-${size}">
<summary class="save-summary" title="${held.length > 0 ? `Saved in ${held.map((c) => c.name).join(', ')}` : 'Save to a collection'}"><span aria-hidden="true">${held.length > 0 ? '★' : '☆'}</span> ${held.length > 0 ? 'Saved' : 'Save'}<span class="sr-only">: ${paper.title}</span></summary>
<div class="save-panel">
<form method="post" action="${action}" class="save-form">${csrf}${back}
<label class="save-field"><span>Save to</span>
<select name="collection">${free.map((c) => html`<option value="${c.id}">${c.name}</option>`)}<option value="new"${free.length === 0 ? ' selected' : ''}>New collection…</option></select></label>
<label class="save-field"><span>New collection's name</span>
<input name="name" maxlength="${COLLECTION_NAME_MAX}" placeholder="Reading list"></label>
<button type="submit" class="button button-primary">Save</button>
</form>
${held.length > 0 ? html`<ul class="save-held">${held.map((c) => html`<li><form method="post" action="${paperUrl(paper.id)}/unsave">${csrf}${back}<input type="hidden" name="collection" value="${c.id}"><button type="submit" class="link-like">Remove from “${c.name}”</button></form></li>`)}</ul>` : ''}
<p class="save-more"><a href="/collections">Your collections</a></p>
</div>
</details>`;
}
