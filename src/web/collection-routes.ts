/**
 * Collections (reading lists): a member's list of them, each one's page and BibTeX, and the owner's changes.
 * Handlers parse, authorize, call the store, render. Who may see a collection: collection-access.ts.
 */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import {
  COLLECTION_DESCRIPTION_MAX,
  COLLECTION_NAME_MAX,
  type Collection,
  type CollectionInput,
} from '../store/collection-store.ts';
import type { Account } from '../store/community-store.ts';
import { viewerFor } from '../http/viewer.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { collectionPage, collectionsPage, collectionUrl } from './pages/collection-pages.ts';
import { collectionBibtex } from './pages/collection-bibtex.ts';
import { collectionId, collectionPapers, noCollection, visibleCollection } from './collection-access.ts';
import { cleanLine, cleanText, textLength } from './form-text.ts';
import { doneNotice, memberPage, signedIn, toSignIn } from './member-handlers.ts';

const NOTICES: Record<string, string> = {
  created: 'Collection created.',
  updated: 'Changes saved.',
  deleted: 'Collection deleted.',
};

/** A collection form's fields, or what is wrong with them. */
export function parseCollectionForm(
  form: Record<string, unknown>,
): { ok: true; input: CollectionInput } | { ok: false; error: string; draft: CollectionInput } {
  const draft = {
    name: cleanLine(form.name),
    description: cleanText(form.description),
    isPublic: form.visibility === 'public',
  };
  if (draft.name === '') return { ok: false, error: 'A collection needs a name.', draft };
  if (textLength(draft.name) > COLLECTION_NAME_MAX)
    return { ok: false, error: `Names are at most ${COLLECTION_NAME_MAX} characters.`, draft };
  if (textLength(draft.description) > COLLECTION_DESCRIPTION_MAX)
    return { ok: false, error: `Descriptions are at most ${COLLECTION_DESCRIPTION_MAX} characters.`, draft };
  return { ok: true, input: draft };
}

export function registerCollectionRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get('/collections', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/collections');
    const notice = doneNotice(c, NOTICES);
    return memberPage(
      c,
      collectionsPage(
        await viewerFor(c, store, []),
        await store.collections.collectionsOf(me.id),
        notice ? { ok: notice } : {},
      ),
    );
  });

  app.post('/collections', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/collections');
    const parsed = parseCollectionForm(await c.req.parseBody());
    const viewer = await viewerFor(c, store, []);
    if (!parsed.ok)
      return memberPage(
        c,
        collectionsPage(viewer, await store.collections.collectionsOf(me.id), { error: parsed.error }, parsed.draft),
        400,
      );
    const made = await store.collections.createCollection(me.id, parsed.input, new Date());
    if (!made)
      return memberPage(
        c,
        collectionsPage(
          viewer,
          await store.collections.collectionsOf(me.id),
          { error: 'You have as many collections as a member can have. Delete one first.' },
          parsed.input,
        ),
        422,
      );
    return c.redirect(`${collectionUrl(made.id)}?done=created`, 303);
  });

  app.get('/collections/:id{[0-9]+}', async (c) => {
    const found = await visibleCollection(store, c, c.req.param('id'));
    if (!found) return noCollection(c);
    const { papers } = await collectionPapers(store, found.collection);
    const notice = found.isOwner ? doneNotice(c, NOTICES) : undefined;
    const viewer = await viewerFor(
      c,
      store,
      papers.map((p) => p.id),
    );
    return memberPage(
      c,
      collectionPage({
        ...found,
        papers,
        viewer,
        publicUrl: ctx.config.publicUrl,
        message: notice ? { ok: notice } : undefined,
      }),
    );
  });

  app.get('/collections/:file{[0-9]+\\.bib}', async (c) => {
    const found = await visibleCollection(store, c, c.req.param('file').replace(/\.bib$/, ''));
    if (!found) return noCollection(c);
    const { papers } = await collectionPapers(store, found.collection);
    const body = collectionBibtex(
      found.collection,
      papers,
      `${ctx.config.publicUrl}${collectionUrl(found.collection.id)}`,
    );
    return c.body(body, 200, {
      'Content-Type': 'text/x-bibtex; charset=utf-8',
      'Content-Disposition': `inline; filename="collection-${found.collection.id}.bib"`,
      'Cache-Control': found.collection.isPublic ? 'public, max-age=300' : 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  // Owner's changes: any other member (or a private collection's stranger) gets the same 404 as for nothing.
  const ownerAction =
    (work: (c: Context, collection: Collection, form: Record<string, unknown>, me: Account) => Promise<Response>) =>
    async (c: Context) => {
      const me = signedIn(c);
      const id = collectionId(c.req.param('id'));
      if (!me) return toSignIn(c, id ? collectionUrl(id) : '/collections');
      const collection = id === null ? null : await store.collections.getCollection(id);
      if (!collection || collection.ownerId !== me.id) return noCollection(c);
      return work(c, collection, await c.req.parseBody(), me);
    };

  app.post(
    '/collections/:id{[0-9]+}/edit',
    ownerAction(async (c, collection, form, me) => {
      const parsed = parseCollectionForm(form);
      if (!parsed.ok) {
        const { papers } = await collectionPapers(store, collection);
        const viewer = await viewerFor(
          c,
          store,
          papers.map((p) => p.id),
        );
        return memberPage(
          c,
          collectionPage({
            collection,
            isOwner: true,
            papers,
            viewer,
            publicUrl: ctx.config.publicUrl,
            message: { error: parsed.error },
          }),
          400,
        );
      }
      await store.collections.updateCollection(collection.id, me.id, parsed.input, new Date());
      return c.redirect(`${collectionUrl(collection.id)}?done=updated`, 303);
    }),
  );

  app.post(
    '/collections/:id{[0-9]+}/delete',
    ownerAction(async (c, collection, form, me) => {
      if (form.confirm !== 'yes')
        return c.html(
          renderErrorPage(400, 'Not deleted', 'Tick the box to confirm that the collection should go.'),
          400,
        );
      await store.collections.deleteCollection(collection.id, me.id);
      return c.redirect('/collections?done=deleted', 303);
    }),
  );

  app.post(
    '/collections/:id{[0-9]+}/move',
    ownerAction(async (c, collection, form, me) => {
      const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
      const direction = form.direction === 'up' || form.direction === 'down' ? form.direction : null;
      if (!paperId || !direction)
        return c.html(renderErrorPage(400, 'Nothing to move', 'Say which paper and which way.'), 400);
      await store.collections.moveItem(collection.id, me.id, paperId, direction, new Date());
      return c.redirect(`${collectionUrl(collection.id)}#items`, 303);
    }),
  );

  app.post(
    '/collections/:id{[0-9]+}/remove',
    ownerAction(async (c, collection, form, me) => {
      const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
      if (paperId) await store.collections.removeItem(collection.id, me.id, paperId, new Date());
      return c.redirect(collectionUrl(collection.id), 303);
    }),
  );
}
