/** Sign-in by email link, sign-out, settings and the first admin's claim. Handlers parse, call, render. */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../../http/app-context.ts';
import { layout, type PageOptions } from '../layout.ts';
import { SignInService } from '../../community/sign-in.ts';
import type { RateLimiter } from '../../community/rate-limits.ts';
import { claimAdmin } from '../../community/admin-claim.ts';
import { endSession, startSession } from './auth.ts';
import { safeReturnPath, viewerFor } from '../../http/viewer.ts';
import {
  adminClaimPage,
  invitationGonePage,
  messagePage,
  settingsPage,
  signInConfirmPage,
  signInFailedPage,
  signInPage,
  signInSentPage,
} from '../pages/account-pages.ts';
import { signInUrl, welcomeUrl } from '../../domain/urls.ts';
import { checkDisplayName } from '../../domain/handles.ts';
import { joinRule } from '../../community/join-policy.ts';
import { openInvitation } from '../../community/invitations.ts';
import { resetFeedKey } from '../../community/feed-keys.ts';

export function registerAuthRoutes(app: Hono, ctx: AppContext, limiter: RateLimiter): void {
  const mailDelivered = ctx.mailer.mode !== 'outbox';
  const policy = ctx.config.access;
  const signIn = new SignInService({
    store: ctx.store.community,
    access: ctx.store.access,
    policy,
    mailer: ctx.mailer,
    publicUrl: ctx.config.publicUrl,
    limiter,
    logger: ctx.logger,
    identity: ctx.identity,
  });
  // Said to everyone on the form when the instance is not open: the rule, never who is a member.
  const rule = joinRule(policy);

  app.get('/signin', (c) => {
    if (c.get('auth').account) return c.redirect(safeReturnPath(c.req.query('next')), 303);
    return page(c, signInPage({ next: safeReturnPath(c.req.query('next')), mailDelivered, joinRule: rule }));
  });
  app.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const next = safeReturnPath(form.next);
    const email = typeof form.email === 'string' ? form.email : '';
    const invite = carriedInvitation(form.invite);
    const result = await signIn.request(email, c.get('auth').address, next, new Date(), invite);
    if (!result.ok) {
      return page(
        c,
        signInPage({ next, email: email.slice(0, 254), error: result.error, mailDelivered, joinRule: rule, invite }),
        result.status,
      );
    }
    return page(c, signInSentPage(result.email, mailDelivered, result.sent, result.joinRule));
  });
  // An invitation link leads to the sign-in form, carrying it; nothing is made until the sign-in completes.
  app.get('/invite/:token', async (c) => {
    const token = c.req.param('token');
    const invitation = await openInvitation(ctx.store.access, token);
    if (!invitation) return page(c, invitationGonePage(), 404);
    return page(
      c,
      signInPage({ next: '/', email: invitation.email ?? undefined, mailDelivered, joinRule: null, invite: token }),
    );
  });

  // Opening the link changes nothing (mail scanners open links too); the button on the page signs in.
  app.get('/signin/verify', (c) =>
    page(
      c,
      signInConfirmPage(
        c.req.query('token') ?? '',
        safeReturnPath(c.req.query('next')),
        carriedInvitation(c.req.query('invite')),
      ),
    ),
  );
  app.post('/signin/verify', async (c) => {
    const form = await c.req.parseBody();
    const invite = carriedInvitation(form.invite);
    const result = await signIn.complete(typeof form.token === 'string' ? form.token : '', new Date(), invite);
    if (!result.ok) return page(c, signInFailedPage(result.error), 400);
    await startSession(c, ctx, result.account);
    ctx.logger.info({ member: result.account.name }, 'signed in');
    // A new member chooses their handle first (the one they have is a random suggestion).
    const next = safeReturnPath(form.next);
    return c.redirect(result.account.handleChosen ? next : welcomeUrl(next), 303);
  });

  app.post('/signout', async (c) => {
    await endSession(c, ctx, false);
    return c.redirect('/', 303);
  });
  app.post('/signout/everywhere', async (c) => {
    await endSession(c, ctx, true);
    return c.redirect('/', 303);
  });

  app.get('/settings', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/settings'), 303);
    const digest = account.email ? await ctx.store.subscriptions.getSubscriptionByEmail(account.email) : null;
    const key = c.get('auth').feedKey;
    const feedKey = key ? { key, publicUrl: ctx.config.publicUrl, reset: c.req.query('reset') === '1' } : undefined;
    const tokens = {
      list: await ctx.store.tokens.tokensOf(account.id),
      publicUrl: ctx.config.publicUrl,
      revoked: c.req.query('revoked') === '1',
    };
    return page(
      c,
      settingsPage(account, await viewerFor(c, ctx.store, []), {
        saved: c.req.query('saved') === '1',
        digest,
        feedKey,
        tokens,
      }),
    );
  });
  // Members-only instances: a new private feed key; feed addresses with the old one stop working at once.
  app.post('/settings/feed-key', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/settings'), 303);
    if (policy.read !== 'members') return c.redirect('/settings', 303);
    await resetFeedKey(ctx.store.access, await ctx.store.community.instanceSecret(), account.id);
    ctx.logger.info({ member: account.name }, 'feed key reset');
    return c.redirect('/settings?reset=1#feed-key', 303);
  });
  app.post('/settings', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/settings'), 303);
    const form = await c.req.parseBody();
    const fullname = checkDisplayName(typeof form.fullname === 'string' ? form.fullname : '');
    if (!fullname.ok)
      return page(c, settingsPage(account, await viewerFor(c, ctx.store, []), { error: fullname.error }), 400);
    await ctx.store.community.updateProfile(account.id, fullname.name);
    return c.redirect('/settings?saved=1', 303);
  });

  app.post('/settings/digest', async (c) => {
    const account = c.get('auth').account;
    if (!account?.email) return c.redirect(signInUrl('/settings'), 303);
    const frequency = (await c.req.parseBody()).frequency;
    if (frequency !== 'daily' && frequency !== 'weekly' && frequency !== 'off') {
      return page(
        c,
        settingsPage(account, await viewerFor(c, ctx.store, []), { error: 'Choose daily, weekly or off.' }),
        400,
      );
    }
    const subscriptions = ctx.store.subscriptions;
    const now = new Date();
    if (frequency === 'off') {
      const existing = await subscriptions.getSubscriptionByEmail(account.email);
      if (existing) await subscriptions.unsubscribe(existing.id, now);
    } else {
      const { subscription } = await subscriptions.requestSubscription(account.email, frequency, now);
      await subscriptions.activate(subscription.id, frequency, now);
    }
    return c.redirect('/settings?saved=1', 303);
  });

  app.get('/admin/claim', async (c) => {
    if (!c.get('auth').account) return c.redirect(signInUrl('/admin/claim'), 303);
    const viewer = await viewerFor(c, ctx.store, []);
    if ((await ctx.store.community.countAdmins()) > 0) {
      return page(
        c,
        messagePage(
          'There is an administrator',
          'This instance has an administrator already; ask them for the role you need.',
          viewer,
        ),
      );
    }
    return page(c, adminClaimPage(viewer));
  });
  app.post('/admin/claim', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/admin/claim'), 303);
    const form = await c.req.parseBody();
    const viewer = await viewerFor(c, ctx.store, []);
    const limit = await limiter.hit('admin-claim', String(account.id), c.get('auth').address);
    if (!limit.allowed) {
      const minutes = Math.ceil(limit.retryAfter / 60);
      c.header('Retry-After', String(limit.retryAfter));
      return page(
        c,
        adminClaimPage(
          viewer,
          `Too many attempts. Please wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
        ),
        429,
      );
    }
    const claimed = await claimAdmin(ctx.store, account, typeof form.code === 'string' ? form.code : '');
    if (!claimed)
      return page(
        c,
        adminClaimPage(viewer, 'That code is not right, or the instance has an administrator already.'),
        400,
      );
    ctx.logger.warn({ member: account.name }, 'administrator claimed the instance');
    return page(
      c,
      messagePage(
        'You are the administrator',
        'You can now moderate, and give others the moderator role under Roles in your account menu (/admin/roles).',
        viewer,
      ),
    );
  });
}

/** The invitation token a form carries (sign-in, its confirmation), if any. */
function carriedInvitation(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function page(c: Context, options: PageOptions, status: 200 | 400 | 403 | 404 | 429 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options), status);
}
