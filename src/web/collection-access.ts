/**
 * Who may see a collection, shared by its page, BibTeX, feed and API: private collections are the owner's
 * alone; to anyone else (signed out included) they answer 404, as for a collection that does not exist.
 */
import type { Context } from 'hono';
import type { Paper } from '../domain/types.ts';
import type { Collection } from '../store/collection-store.ts';
import type { Store } from '../store/store.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { signedIn } from './member-handlers.ts';

/** A collection id from an address or a form: a positive whole number, else null. */
export function collectionId(text: string | undefined): number | null {
  if (!text || !/^[1-9][0-9]{0,14}$/.test(text)) return null;
  return Number(text);
}

/** The collection if this visitor may see it: public, or their own. */
export async function visibleCollection(
  store: Store,
  c: Context,
  text: string | undefined,
): Promise<{ collection: Collection; isOwner: boolean } | null> {
  const id = collectionId(text);
  if (id === null) return null;
  const collection = await store.collections.getCollection(id);
  if (!collection) return null;
  const isOwner = signedIn(c)?.id === collection.ownerId;
  return collection.isPublic || isOwner ? { collection, isOwner } : null;
}

/** The collection's papers in its order, and when each was added. */
export async function collectionPapers(
  store: Store,
  collection: Collection,
): Promise<{ papers: Paper[]; addedAt: Map<string, string> }> {
  const items = await store.collections.collectionItems(collection.id);
  return {
    papers: await store.getPapers(items.map((i) => i.paperId)),
    addedAt: new Map(items.map((i) => [i.paperId, i.addedAt])),
  };
}

export function noCollection(c: Context) {
  return c.html(renderErrorPage(404, 'Collection not found', 'There is no collection here, or it is private.'), 404);
}
