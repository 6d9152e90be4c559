/**
 * Collections (reading lists), saving papers, follows, the "for you" page and the member's data export.
 * Handlers parse, authorize, call the store, render. Private collections are the owner's alone: to anyone
 * else (signed out included) their page, feed, BibTeX and API answer 404, as for a collection that does
 * not exist.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import type { Paper } from '../domain/types.ts';
import {
  COLLECTION_DESCRIPTION_MAX, COLLECTION_NAME_MAX, type Collection, type CollectionInput, type FollowKind,
} from '../store/collection-store.ts';
import type { Account } from '../store/community-store.ts';
import { exportMember } from '../community/export.ts';
import { FEED_CONTENT_TYPES, renderFeed, type FeedSpec } from '../feeds/render.ts';
import { searchFollowTarget } from './components/follow-button.ts';
import { layout, type PageOptions } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { splitFeedFile } from './feed-routes.ts';
import { parseSearchPage } from './search-page-params.ts';
import { paperUrl, signInUrl } from '../domain/urls.ts';
import { safeReturnPath, viewerFor } from '../http/viewer.ts';
import { collectionFeed, collectionPage, collectionsPage, collectionUrl } from './pages/collection-pages.ts';
import { collectionBibtex } from './pages/collection-bibtex.ts';
import { forYouPage } from './pages/for-you-page.ts';
import { followingPage } from './pages/following-page.ts';
import { followSections, memberSignals, recommendFor } from '../recs/member-feed.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const DEFAULT_COLLECTION_NAME = 'Reading list';
const FEED_CACHE_CONTROL = 'public, max-age=300';
const NOTICES: Record<string, string> = {
  created: 'Collection created.',
  updated: 'Changes saved.',
  deleted: 'Collection deleted.',
  dismissed: 'Got it: that paper will not be recommended again (until you reset).',
  reset: 'Reset: the papers you marked “Not interested” can be recommended again.',
  unfollowed: 'Unfollowed.',
};

/** One line of text: control characters become spaces, runs of spaces one space. */
function cleanLine(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[\u0000-\u001F\u007F]/g, ' ').replace(/\s+/g, ' ').trim() : '';
}

/** Several lines: line breaks kept (CRLF as LF), other control characters dropped. */
function cleanText(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000B-\u001F\u007F]/g, '').trim() : '';
}

const length = (text: string) => [...text].length;

/** A collection form's fields, or what is wrong with them. */
export function parseCollectionForm(form: Record<string, unknown>): { ok: true; input: CollectionInput } | { ok: false; error: string; draft: CollectionInput } {
  const draft = {
    name: cleanLine(form.name),
    description: cleanText(form.description),
    isPublic: form.visibility === 'public',
  };
  if (draft.name === '') return { ok: false, error: 'A collection needs a name.', draft };
  if (length(draft.name) > COLLECTION_NAME_MAX) return { ok: false, error: `Names are at most ${COLLECTION_NAME_MAX} characters.`, draft };
  if (length(draft.description) > COLLECTION_DESCRIPTION_MAX) return { ok: false, error: `Descriptions are at most ${COLLECTION_DESCRIPTION_MAX} characters.`, draft };
  return { ok: true, input: draft };
}

function collectionId(text: string | undefined): number | null {
  if (!text || !/^[1-9][0-9]{0,14}$/.test(text)) return null;
  return Number(text);
}

export function registerCollectionRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  const account = (c: Context): Account | null => c.get('auth').account;
  const toSignIn = (c: Context, next: string) => c.redirect(signInUrl(next), 303);

  /** The collection if this visitor may see it: public, or their own. */
  const visible = async (c: Context, text: string | undefined): Promise<{ collection: Collection; isOwner: boolean } | null> => {
    const id = collectionId(text);
    if (id === null) return null;
    const collection = await store.collections.getCollection(id);
    if (!collection) return null;
    const isOwner = account(c)?.id === collection.ownerId;
    return collection.isPublic || isOwner ? { collection, isOwner } : null;
  };
  const papersOf = async (collection: Collection): Promise<{ papers: Paper[]; addedAt: Map<string, string> }> => {
    const items = await store.collections.collectionItems(collection.id);
    return { papers: await store.getPapers(items.map((i) => i.paperId)), addedAt: new Map(items.map((i) => [i.paperId, i.addedAt])) };
  };
  const noCollection = (c: Context) => c.html(renderErrorPage(404, 'Collection not found', 'There is no collection here, or it is private.'), 404);

  // ---- Collections ----
  app.get('/collections', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/collections');
    const notice = NOTICES[c.req.query('done') ?? ''];
    return page(c, collectionsPage(await viewerFor(c, store, []), await store.collections.collectionsOf(me.id), notice ? { ok: notice } : {}));
  });

  app.post('/collections', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/collections');
    const parsed = parseCollectionForm(await c.req.parseBody());
    const viewer = await viewerFor(c, store, []);
    if (!parsed.ok) return page(c, collectionsPage(viewer, await store.collections.collectionsOf(me.id), { error: parsed.error }, parsed.draft), 400);
    const made = await store.collections.createCollection(me.id, parsed.input, new Date());
    if (!made) return page(c, collectionsPage(viewer, await store.collections.collectionsOf(me.id), { error: 'You have as many collections as a member can have. Delete one first.' }, parsed.input), 422);
    return c.redirect(`${collectionUrl(made.id)}?done=created`, 303);
  });

  app.get('/collections/:id{[0-9]+}', async (c) => {
    const found = await visible(c, c.req.param('id'));
    if (!found) return noCollection(c);
    const { papers } = await papersOf(found.collection);
    const notice = found.isOwner ? NOTICES[c.req.query('done') ?? ''] : undefined;
    const viewer = await viewerFor(c, store, papers.map((p) => p.id));
    return page(c, collectionPage({ ...found, papers, viewer, publicUrl: ctx.config.publicUrl, message: notice ? { ok: notice } : undefined }));
  });

  app.get('/collections/:file{[0-9]+\\.bib}', async (c) => {
    const found = await visible(c, c.req.param('file').replace(/\.bib$/, ''));
    if (!found) return noCollection(c);
    const { papers } = await papersOf(found.collection);
    const body = collectionBibtex(found.collection, papers, `${ctx.config.publicUrl}${collectionUrl(found.collection.id)}`);
    return c.body(body, 200, {
      'Content-Type': 'text/x-bibtex; charset=utf-8',
      'Content-Disposition': `inline; filename="collection-${found.collection.id}.bib"`,
      'Cache-Control': found.collection.isPublic ? 'public, max-age=300' : 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  // Owner's changes: any other member (or a private collection's stranger) gets the same 404 as for nothing.
  const ownerAction = (work: (c: Context, collection: Collection, form: Record<string, unknown>, me: Account) => Promise<Response>) => async (c: Context) => {
    const me = account(c);
    const id = collectionId(c.req.param('id'));
    if (!me) return toSignIn(c, id ? collectionUrl(id) : '/collections');
    const collection = id === null ? null : await store.collections.getCollection(id);
    if (!collection || collection.ownerId !== me.id) return noCollection(c);
    return work(c, collection, await c.req.parseBody(), me);
  };

  app.post('/collections/:id{[0-9]+}/edit', ownerAction(async (c, collection, form, me) => {
    const parsed = parseCollectionForm(form);
    if (!parsed.ok) {
      const { papers } = await papersOf(collection);
      const viewer = await viewerFor(c, store, papers.map((p) => p.id));
      return page(c, collectionPage({ collection, isOwner: true, papers, viewer, publicUrl: ctx.config.publicUrl, message: { error: parsed.error } }), 400);
    }
    await store.collections.updateCollection(collection.id, me.id, parsed.input, new Date());
    return c.redirect(`${collectionUrl(collection.id)}?done=updated`, 303);
  }));

  app.post('/collections/:id{[0-9]+}/delete', ownerAction(async (c, collection, form, me) => {
    if (form.confirm !== 'yes') return c.html(renderErrorPage(400, 'Not deleted', 'Tick the box to confirm that the collection should go.'), 400);
    await store.collections.deleteCollection(collection.id, me.id);
    return c.redirect('/collections?done=deleted', 303);
  }));

  app.post('/collections/:id{[0-9]+}/move', ownerAction(async (c, collection, form, me) => {
    const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
    const direction = form.direction === 'up' || form.direction === 'down' ? form.direction : null;
    if (!paperId || !direction) return c.html(renderErrorPage(400, 'Nothing to move', 'Say which paper and which way.'), 400);
    await store.collections.moveItem(collection.id, me.id, paperId, direction, new Date());
    return c.redirect(`${collectionUrl(collection.id)}#items`, 303);
  }));

  app.post('/collections/:id{[0-9]+}/remove', ownerAction(async (c, collection, form, me) => {
    const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
    if (paperId) await store.collections.removeItem(collection.id, me.id, paperId, new Date());
    return c.redirect(collectionUrl(collection.id), 303);
  }));

  // ---- Saving a paper from any card or the paper page ----
  app.post(`/papers/${PAPER_ID_PARAM}/save`, async (c) => {
    const me = account(c);
    const form = await c.req.parseBody();
    const id = normalizeArxivId(c.req.param('id'));
    const back = safeReturnPath(form.return, id ? paperUrl(id) : '/');
    if (!me) return toSignIn(c, back);
    if (!id || !(await store.getPaper(id))) return c.html(renderErrorPage(404, 'Not found', 'No such paper.'), 404);
    let target: number | null = form.collection === 'new' || form.collection === undefined ? null : collectionId(String(form.collection));
    if (target === null) {
      if (form.collection !== 'new' && form.collection !== undefined) return c.html(renderErrorPage(400, 'Not saved', 'Choose a collection.'), 400);
      const name = cleanLine(form.name) || DEFAULT_COLLECTION_NAME;
      if (length(name) > COLLECTION_NAME_MAX) return c.html(renderErrorPage(400, 'Not saved', `Names are at most ${COLLECTION_NAME_MAX} characters.`), 400);
      const made = await store.collections.createCollection(me.id, { name, description: '', isPublic: false }, new Date());
      if (!made) return c.html(renderErrorPage(422, 'Not saved', 'You have as many collections as a member can have. Save to one of them.'), 422);
      target = made.id;
    }
    const result = await store.collections.addItem(target, me.id, id, new Date());
    if (result === null) return c.html(renderErrorPage(404, 'Not saved', 'There is no such collection of yours, or no such paper.'), 404);
    if (result === 'full') return c.html(renderErrorPage(422, 'Not saved', 'This collection is full. Save to another one.'), 422);
    return c.redirect(back, 303);
  });

  app.post(`/papers/${PAPER_ID_PARAM}/unsave`, async (c) => {
    const me = account(c);
    const form = await c.req.parseBody();
    const id = normalizeArxivId(c.req.param('id'));
    const back = safeReturnPath(form.return, id ? paperUrl(id) : '/');
    if (!me) return toSignIn(c, back);
    const target = collectionId(typeof form.collection === 'string' ? form.collection : undefined);
    if (!id || target === null || !(await store.collections.removeItem(target, me.id, id, new Date()))) {
      return c.html(renderErrorPage(404, 'Nothing to remove', 'That paper is not in that collection of yours.'), 404);
    }
    return c.redirect(back, 303);
  });

  // ---- Feeds and API of public collections ----
  app.get('/feeds/collections/:file', async (c) => {
    const file = splitFeedFile(c.req.param('file'));
    const found = file ? await visible(c, file.name) : null;
    if (!file || !found) return c.text('Not found: there is no public collection at this address.\n', 404, { 'X-Content-Type-Options': 'nosniff' });
    const { collection } = found;
    const { papers, addedAt } = await papersOf(collection);
    const spec: FeedSpec = {
      title: `${collection.name} — a collection by @${collection.ownerName}`,
      description: collection.description || `Papers collected by @${collection.ownerName} on Paperboy.`,
      pagePath: collectionUrl(collection.id),
      feedPath: collectionFeed(collection.id),
      entries: papers.map((paper) => ({ paper, date: new Date(addedAt.get(paper.id) ?? paper.publishedAt) })),
      emptyUpdated: new Date(collection.updatedAt),
    };
    const body = renderFeed(spec, file.format, ctx.config.publicUrl);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = { 'Cache-Control': collection.isPublic ? FEED_CACHE_CONTROL : 'private, no-store', ETag: etag };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, 'Content-Type': FEED_CONTENT_TYPES[file.format] });
  });

  app.get('/api/collections/:id', async (c) => {
    const found = await visible(c, c.req.param('id'));
    if (!found) return c.json({ error: 'Not found' }, 404);
    const { collection } = found;
    const { papers, addedAt } = await papersOf(collection);
    if (!collection.isPublic) c.header('Cache-Control', 'private, no-store');
    return c.json({
      id: collection.id, name: collection.name, description: collection.description, owner: collection.ownerName,
      public: collection.isPublic, createdAt: collection.createdAt, updatedAt: collection.updatedAt,
      papers: papers.map((p, position) => ({ id: p.id, title: p.title, position, addedAt: addedAt.get(p.id) ?? null })),
    });
  });

  // ---- Follows ----
  const followTarget = async (kind: FollowKind, target: string): Promise<{ target: string; label: string } | null> => {
    if (kind === 'organization') {
      const org = await store.getOrganization(target);
      return org ? { target: org.organization.name, label: org.organization.fullname } : null;
    }
    if (kind === 'author') {
      const author = await store.getAuthor(target);
      return author ? { target: author.name, label: author.name } : null;
    }
    const input = parseSearchPage(Object.fromEntries(new URLSearchParams(target)));
    if (!input.ok || input.request.q.trim() === '') return null;
    const q = cleanLine(input.state.q);
    return { target: searchFollowTarget(input.state), label: length(q) > 100 ? `${[...q].slice(0, 100).join('')}…` : q };
  };
  const followKind = (value: unknown): FollowKind | null =>
    value === 'organization' || value === 'author' || value === 'search' ? value : null;

  app.post('/follow', async (c) => {
    const me = account(c);
    const form = await c.req.parseBody();
    const back = safeReturnPath(form.return, '/following');
    if (!me) return toSignIn(c, back);
    const kind = followKind(form.kind);
    const found = kind && typeof form.target === 'string' ? await followTarget(kind, form.target.slice(0, 2_000)) : null;
    if (!kind || !found) return c.html(renderErrorPage(404, 'Nothing to follow', 'There is no such organization, author or search.'), 404);
    if (!(await store.collections.follow(me.id, kind, found.target, found.label, new Date()))) {
      return c.html(renderErrorPage(422, 'Not followed', 'You follow as many things as a member can. Unfollow some first.'), 422);
    }
    return c.redirect(back, 303);
  });

  app.post('/unfollow', async (c) => {
    const me = account(c);
    const form = await c.req.parseBody();
    const back = safeReturnPath(form.return, '/following');
    if (!me) return toSignIn(c, back);
    const kind = followKind(form.kind);
    if (kind && typeof form.target === 'string') {
      // The stored target is normalized; a search page's form sends it the same way.
      const found = await followTarget(kind, form.target.slice(0, 2_000));
      await store.collections.unfollow(me.id, kind, found?.target ?? form.target);
      if (found && found.target !== form.target) await store.collections.unfollow(me.id, kind, form.target);
    }
    return c.redirect(back === '/following' ? '/following?done=unfollowed' : back, 303);
  });

  app.get('/following', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/following');
    return page(c, followingPage(await viewerFor(c, store, []), await store.collections.followsOf(me.id), NOTICES[c.req.query('done') ?? '']));
  });

  // ---- For you ----
  app.get('/for-you', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/for-you');
    const [list, signals] = await Promise.all([recommendFor(store, ctx.recommender, me.id), memberSignals(store, me.id)]);
    const follows = await followSections(store, ctx.search, me.id, new Set(signals.dismissed));
    const shown = [...list.items.map((i) => i.paper.id), ...follows.sections.flatMap((s) => s.papers.map((p) => p.id))];
    const viewer = await viewerFor(c, store, shown);
    return page(c, forYouPage({ viewer, list, follows, dismissed: signals.dismissed.length, notice: NOTICES[c.req.query('done') ?? ''] }));
  });

  app.post('/for-you/dismiss', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/for-you');
    const form = await c.req.parseBody();
    const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
    if (paperId) await store.collections.dismiss(me.id, paperId, new Date());
    return c.redirect('/for-you?done=dismissed', 303);
  });

  app.post('/for-you/reset', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/for-you');
    await store.collections.clearDismissed(me.id);
    return c.redirect('/for-you?done=reset', 303);
  });

  // ---- Export ----
  app.get('/settings/export', async (c) => {
    const me = account(c);
    if (!me) return toSignIn(c, '/settings');
    const now = new Date();
    const data = await exportMember(store, me, now);
    return c.body(`${JSON.stringify(data, null, 2)}\n`, 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="paperboy-${me.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${now.toISOString().slice(0, 10)}.json"`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });
}

function page(c: Context, options: PageOptions, status: 200 | 400 | 404 | 422 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options), status);
}
