/** Following organizations, authors and searches (their new papers show on "For you"), and the member's list of follows. */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import type { FollowKind } from '../store/collection-store.ts';
import type { Store } from '../store/store.ts';
import { safeReturnPath, viewerFor } from '../http/viewer.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { followingPage } from './pages/following-page.ts';
import { searchFollowTarget } from './components/follow-button.ts';
import { parseSearchPage } from './search-page-params.ts';
import { cleanLine, textLength } from './form-text.ts';
import { doneNotice, memberPage, signedIn, toSignIn } from './member-handlers.ts';

const NOTICES: Record<string, string> = { unfollowed: 'Unfollowed.' };

/** What a follow form names, as stored (an organization's handle, an author's name, a normalized search), and its label. */
async function followTarget(
  store: Store,
  kind: FollowKind,
  target: string,
): Promise<{ target: string; label: string } | null> {
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
  return {
    target: searchFollowTarget(input.state),
    label: textLength(q) > 100 ? `${[...q].slice(0, 100).join('')}…` : q,
  };
}

function followKind(value: unknown): FollowKind | null {
  return value === 'organization' || value === 'author' || value === 'search' ? value : null;
}

export function registerFollowRoutes(app: Hono, { store }: AppContext): void {
  app.post('/follow', async (c) => {
    const me = signedIn(c);
    const form = await c.req.parseBody();
    const back = safeReturnPath(form.return, '/following');
    if (!me) return toSignIn(c, back);
    const kind = followKind(form.kind);
    const found =
      kind && typeof form.target === 'string' ? await followTarget(store, kind, form.target.slice(0, 2_000)) : null;
    if (!kind || !found)
      return c.html(renderErrorPage(404, 'Nothing to follow', 'There is no such organization, author or search.'), 404);
    if (!(await store.collections.follow(me.id, kind, found.target, found.label, new Date()))) {
      return c.html(
        renderErrorPage(422, 'Not followed', 'You follow as many things as a member can. Unfollow some first.'),
        422,
      );
    }
    return c.redirect(back, 303);
  });

  app.post('/unfollow', async (c) => {
    const me = signedIn(c);
    const form = await c.req.parseBody();
    const back = safeReturnPath(form.return, '/following');
    if (!me) return toSignIn(c, back);
    const kind = followKind(form.kind);
    if (kind && typeof form.target === 'string') {
      // The stored target is normalized; a search page's form sends it the same way.
      const found = await followTarget(store, kind, form.target.slice(0, 2_000));
      await store.collections.unfollow(me.id, kind, found?.target ?? form.target);
      if (found && found.target !== form.target) await store.collections.unfollow(me.id, kind, form.target);
    }
    return c.redirect(back === '/following' ? '/following?done=unfollowed' : back, 303);
  });

  app.get('/following', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/following');
    return memberPage(
      c,
      followingPage(await viewerFor(c, store, []), await store.collections.followsOf(me.id), doneNotice(c, NOTICES)),
    );
  });
}
