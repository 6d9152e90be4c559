/**
 * What members decide about their own account: the handle chosen at the first sign-in (/welcome), whether their
 * upvotes are public (/settings/privacy), their access tokens (/settings/tokens), and deleting the account
 * (/settings/delete, a confirmation step first).
 */
import type { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import type { AppContext } from '../http/app-context.ts';
import { chooseHandle, deleteAccount } from '../community/accounts.ts';
import { createApiToken } from '../community/api-tokens.ts';
import { safeReturnPath, viewerFor } from '../http/viewer.ts';
import { welcomeUrl } from '../domain/urls.ts';
import { SESSION_COOKIE } from './auth/auth.ts';
import { memberPage, signedIn, toSignIn } from './member-handlers.ts';
import { accountDeletedPage, deleteAccountPage, welcomePage } from './pages/account-pages.ts';
import { tokenMadePage } from './pages/token-settings.ts';

export function registerAccountRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get('/welcome', async (c) => {
    const me = signedIn(c);
    const next = safeReturnPath(c.req.query('next'));
    if (!me) return toSignIn(c, welcomeUrl(next));
    if (me.handleChosen) return c.redirect(next, 303);
    return memberPage(c, welcomePage(await viewerFor(c, store, []), { next, handle: me.name, fullname: me.fullname }));
  });
  app.post('/welcome', async (c) => {
    const me = signedIn(c);
    const form = await c.req.parseBody();
    const next = safeReturnPath(form.next);
    if (!me) return toSignIn(c, welcomeUrl(next));
    // Chosen once: a second form (another tab) does not rename the member.
    if (me.handleChosen) return c.redirect(next, 303);
    const handle = typeof form.handle === 'string' ? form.handle : '';
    const fullname = typeof form.fullname === 'string' ? form.fullname : '';
    const choice = await chooseHandle(store.community, me, handle, fullname);
    if (!choice.ok) {
      const view = {
        next,
        handle: handle.slice(0, 100),
        fullname: fullname.slice(0, 100),
        error: { field: choice.field, message: choice.error },
      };
      return memberPage(c, welcomePage(await viewerFor(c, store, []), view), 400);
    }
    ctx.logger.info({ member: choice.handle }, 'handle chosen');
    return c.redirect(next, 303);
  });

  app.post('/settings/privacy', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings');
    const form = await c.req.parseBody();
    await store.community.setUpvotesPublic(me.id, form.upvotes_public === '1');
    return c.redirect('/settings?saved=1', 303);
  });

  // Access tokens: made here and shown once, on the answer to the form (never in an address); revoked at once.
  app.post('/settings/tokens', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings');
    const form = await c.req.parseBody();
    const name = typeof form.name === 'string' ? form.name : '';
    const made = await createApiToken(store.tokens, me, name, form.scope);
    const viewer = await viewerFor(c, store, []);
    if (!made.ok) {
      const scope = typeof form.scope === 'string' ? form.scope : undefined;
      return memberPage(
        c,
        tokenMadePage(viewer, { form: { name: name.slice(0, 100), scope, error: made.error } }),
        400,
      );
    }
    ctx.logger.info({ member: me.name, token: made.token.id, scope: made.token.scope }, 'access token made');
    return memberPage(
      c,
      tokenMadePage(viewer, { token: made.token, secret: made.secret, publicUrl: ctx.config.publicUrl }),
    );
  });
  app.post('/settings/tokens/:id{[0-9]{1,15}}/revoke', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings');
    const revoked = await store.tokens.revokeToken(me.id, Number(c.req.param('id')));
    if (revoked) ctx.logger.info({ member: me.name, token: Number(c.req.param('id')) }, 'access token revoked');
    return c.redirect(revoked ? '/settings?revoked=1#tokens' : '/settings#tokens', 303);
  });

  app.get('/settings/delete', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings/delete');
    return memberPage(c, deleteAccountPage(me, await viewerFor(c, store, [])));
  });
  app.post('/settings/delete', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings/delete');
    const comments = (await c.req.parseBody()).comments;
    if (comments !== 'keep' && comments !== 'remove') {
      return memberPage(
        c,
        deleteAccountPage(me, await viewerFor(c, store, []), 'Choose what happens to your comments.'),
        400,
      );
    }
    await deleteAccount(store.community, ctx.images, me, comments);
    ctx.logger.info({ account: me.id, comments }, 'account deleted');
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return memberPage(c, accountDeletedPage());
  });
}
