/** Saving a paper to one of the member's collections (or a new one) from any card or the paper page, and taking it out. */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { paperUrl } from '../domain/urls.ts';
import { savePaper, type SaveTarget } from '../community/member-actions.ts';
import { safeReturnPath } from '../http/viewer.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { collectionId } from './collection-access.ts';
import { cleanLine } from './form-text.ts';
import { signedIn, toSignIn } from './member-handlers.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';

export function registerSaveRoutes(app: Hono, { store }: AppContext): void {
  app.post(`/papers/${PAPER_ID_PARAM}/save`, async (c) => {
    const me = signedIn(c);
    const form = await c.req.parseBody();
    const id = normalizeArxivId(c.req.param('id'));
    const back = safeReturnPath(form.return, id ? paperUrl(id) : '/');
    if (!me) return toSignIn(c, back);
    let target: SaveTarget;
    if (form.collection === 'new' || form.collection === undefined) target = { newCollection: cleanLine(form.name) };
    else {
      const chosen = collectionId(String(form.collection));
      if (chosen === null) return c.html(renderErrorPage(400, 'Not saved', 'Choose a collection.'), 400);
      target = { collectionId: chosen };
    }
    const saved = await savePaper(store, me, c.req.param('id'), target);
    if (!saved.ok) return c.html(renderErrorPage(saved.status, saved.title, saved.error), saved.status);
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
