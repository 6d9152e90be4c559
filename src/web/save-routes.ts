/** Saving a paper to one of the member's collections (or a new one) from any card or the paper page, and taking it out. */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { paperUrl } from '../domain/urls.ts';
import { COLLECTION_NAME_MAX } from '../store/collection-store.ts';
import { safeReturnPath } from '../http/viewer.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { collectionId } from './collection-access.ts';
import { cleanLine, textLength } from './form-text.ts';
import { signedIn, toSignIn } from './member-handlers.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const DEFAULT_COLLECTION_NAME = 'Reading list';

export function registerSaveRoutes(app: Hono, { store }: AppContext): void {
  app.post(`/papers/${PAPER_ID_PARAM}/save`, async (c) => {
    const me = signedIn(c);
    const form = await c.req.parseBody();
    const id = normalizeArxivId(c.req.param('id'));
    const back = safeReturnPath(form.return, id ? paperUrl(id) : '/');
    if (!me) return toSignIn(c, back);
    if (!id || !(await store.getPaper(id))) return c.html(renderErrorPage(404, 'Not found', 'No such paper.'), 404);
    let target: number | null =
      form.collection === 'new' || form.collection === undefined ? null : collectionId(String(form.collection));
    if (target === null) {
      if (form.collection !== 'new' && form.collection !== undefined)
        return c.html(renderErrorPage(400, 'Not saved', 'Choose a collection.'), 400);
      const name = cleanLine(form.name) || DEFAULT_COLLECTION_NAME;
      if (textLength(name) > COLLECTION_NAME_MAX)
        return c.html(renderErrorPage(400, 'Not saved', `Names are at most ${COLLECTION_NAME_MAX} characters.`), 400);
      const made = await store.collections.createCollection(
        me.id,
        { name, description: '', isPublic: false },
        new Date(),
      );
      if (!made)
        return c.html(
          renderErrorPage(422, 'Not saved', 'You have as many collections as a member can have. Save to one of them.'),
          422,
        );
      target = made.id;
    }
    const result = await store.collections.addItem(target, me.id, id, new Date());
    if (result === null)
      return c.html(renderErrorPage(404, 'Not saved', 'There is no such collection of yours, or no such paper.'), 404);
    if (result === 'full')
      return c.html(renderErrorPage(422, 'Not saved', 'This collection is full. Save to another one.'), 422);
    return c.redirect(back, 303);
  });

  app.post(`/papers/${PAPER_ID_PARAM}/unsave`, async (c) => {
    const me = signedIn(c);
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
}
