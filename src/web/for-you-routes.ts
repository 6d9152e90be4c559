/**
 * The "for you" page: recommendations (src/recs/, with the app's one recommender) and the new papers of what
 * the member follows; "Not interested" and its reset.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { followSections, memberSignals, recommendFor } from '../recs/member-feed.ts';
import { viewerFor } from '../http/viewer.ts';
import { forYouPage } from './pages/for-you-page.ts';
import { doneNotice, memberPage, signedIn, toSignIn } from './member-handlers.ts';

const NOTICES: Record<string, string> = {
  dismissed: 'Got it: that paper will not be recommended again (until you reset).',
  reset: 'Reset: the papers you marked “Not interested” can be recommended again.',
};

export function registerForYouRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get('/for-you', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/for-you');
    const [list, signals] = await Promise.all([
      recommendFor(store, ctx.recommender, me.id),
      memberSignals(store, me.id),
    ]);
    const follows = await followSections(store, ctx.search, me.id, new Set(signals.dismissed));
    const shown = [...list.items.map((i) => i.paper.id), ...follows.sections.flatMap((s) => s.papers.map((p) => p.id))];
    const viewer = await viewerFor(c, store, shown);
    return memberPage(
      c,
      forYouPage({ viewer, list, follows, dismissed: signals.dismissed.length, notice: doneNotice(c, NOTICES) }),
    );
  });

  app.post('/for-you/dismiss', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/for-you');
    const form = await c.req.parseBody();
    const paperId = typeof form.paper === 'string' ? normalizeArxivId(form.paper) : null;
    if (paperId) await store.collections.dismiss(me.id, paperId, new Date());
    return c.redirect('/for-you?done=dismissed', 303);
  });

  app.post('/for-you/reset', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/for-you');
    await store.collections.clearDismissed(me.id);
    return c.redirect('/for-you?done=reset', 303);
  });
}
