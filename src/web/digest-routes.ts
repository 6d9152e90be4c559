/**
 * Email digest pages: subscribe (POST /digest/subscribe), confirm (/digest/confirm/TOKEN), the web preview of
 * any digest (/digest/daily/YYYY-MM-DD, /digest/weekly/YYYY-Www), and unsubscribe / resubscribe under
 * /unsubscribe/TOKEN, where the signed token is the proof (mail providers POST there, RFC 8058, without CSRF
 * tokens). GET never changes anything: link scanners fetch every link of a message.
 */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { layout, type PageOptions } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { EMAIL_FRAME_CSP } from './security-headers.ts';
import { checkAddress, subscribeForm } from '../digest/address.ts';
import { defaultDigestPeriod, parseDigestPeriod, todayIn, type DigestPeriod } from '../digest/digest-period.ts';
import { composeDigest, loadDigest, previewPath } from '../digest/compose.ts';
import {
  checkLink,
  confirm,
  requestSubscription,
  resubscribe,
  unsubscribe,
  type SubscribeContext,
} from '../digest/subscribe.ts';
import {
  checkInboxPage,
  confirmPage,
  digestPreviewPage,
  confirmedPage,
  linkErrorPage,
  noDigestPage,
  subscribePage,
  unsubscribePage,
  unsubscribedPage,
} from './pages/digest-pages.ts';
import type { DigestFrequency } from '../store/subscription-store.ts';
import { RateLimiter } from '../community/rate-limits.ts';

const TOKEN_PARAM = ':token{[A-Za-z0-9._-]{1,200}}';

export function registerDigestRoutes(app: Hono, ctx: AppContext): void {
  const {
    store,
    config: { digest: digestConfig },
  } = ctx;
  const subscribeCtx: SubscribeContext = {
    store,
    mailer: ctx.mailer,
    logger: ctx.logger,
    publicUrl: ctx.config.publicUrl,
  };
  const csrfToken = (c: Context): string | null => c.get('auth')?.csrfToken ?? null;
  const limiter = new RateLimiter(store.community, ctx.config.community.rateLimitFactor);
  const latestPeriod = async (frequency: DigestFrequency): Promise<DigestPeriod> =>
    defaultDigestPeriod(frequency, todayIn(digestConfig.timeZone, new Date()), await store.latestDay());

  app.get('/digest', async (c) => {
    const hasPapers = (await store.latestDay()) !== null;
    const latest = hasPapers
      ? { daily: await latestPeriod('daily'), weekly: await latestPeriod('weekly') }
      : { daily: null, weekly: null };
    return show(c, subscribePage({ csrfToken: csrfToken(c) }, latest));
  });

  app.post('/digest/subscribe', async (c) => {
    const form = subscribeForm.safeParse(await c.req.parseBody());
    if (!form.success) {
      return show(
        c,
        subscribePage({ error: form.error.issues[0]!.message, csrfToken: csrfToken(c) }, { daily: null, weekly: null }),
        400,
      );
    }
    const address = checkAddress(form.data.email);
    if (!address.ok) {
      // The typed text goes back into the field only when it is harmless to show.
      const echo =
        form.data.email.length <= 254 && !/[\u0000-\u001f\u007f]/.test(form.data.email) ? form.data.email : '';
      return show(
        c,
        subscribePage(
          { email: echo, frequency: form.data.frequency, error: address.error, csrfToken: csrfToken(c) },
          { daily: null, weekly: null },
        ),
        400,
      );
    }
    // Members-only: the digest is for members, at the address they sign in with (strangers never get here).
    if (
      ctx.config.access.read === 'members' &&
      address.email.toLowerCase() !== c.get('auth').account?.email?.toLowerCase()
    ) {
      const error = 'On this instance digests go to members only: subscribe with the address you sign in with.';
      return show(
        c,
        subscribePage(
          { email: address.email, frequency: form.data.frequency, error, csrfToken: csrfToken(c) },
          { daily: null, weekly: null },
        ),
        400,
      );
    }
    const limit = await limiter.hit('subscribe', address.email.toLowerCase(), c.get('auth').address);
    if (!limit.allowed) {
      const error = `Too many subscription requests from here. Please wait ${Math.ceil(limit.retryAfter / 60)} minutes.`;
      return show(
        c,
        subscribePage(
          { email: address.email, frequency: form.data.frequency, error, csrfToken: csrfToken(c) },
          { daily: null, weekly: null },
        ),
        429,
      );
    }
    await requestSubscription(subscribeCtx, address.email, form.data.frequency);
    return show(c, checkInboxPage(address.email, form.data.frequency));
  });

  app.get(`/digest/confirm/${TOKEN_PARAM}`, async (c) => {
    const token = c.req.param('token');
    const link = await checkLink(subscribeCtx, token, 'confirm');
    if (!link.ok) return show(c, linkErrorPage(link.reason, 'confirm'), 400);
    return show(c, confirmPage(token, link.subscription, link.frequency, csrfToken(c)));
  });
  app.post(`/digest/confirm/${TOKEN_PARAM}`, async (c) => {
    const result = await confirm(subscribeCtx, c.req.param('token'));
    if (!result.ok) return show(c, linkErrorPage(result.reason, 'confirm'), 400);
    ctx.logger.info(
      { subscription: result.subscription.id, frequency: result.frequency },
      'digest subscription confirmed',
    );
    return show(c, confirmedPage(result.subscription, await latestPeriod(result.frequency)));
  });

  for (const frequency of ['daily', 'weekly'] as const) {
    app.get(`/digest/${frequency}`, async (c) => c.redirect(previewPath(await latestPeriod(frequency)), 302));
    // The preview is a page of the site; the email itself is framed from its own address (security-headers.ts).
    for (const email of [false, true]) {
      app.get(`/digest/${frequency}/:label${email ? '/email' : ''}`, async (c) => {
        const label = c.req.param('label');
        const period = parseDigestPeriod(frequency, label);
        if (!period) {
          const format =
            frequency === 'daily' ? 'a day, like 2026-07-24' : 'an ISO week, like 2026-W30 (or any day in it)';
          return c.html(renderErrorPage(400, 'Invalid period', `“${label.slice(0, 40)}” is not ${format}.`), 400);
        }
        if (period.label !== label) return c.redirect(`${previewPath(period)}${email ? '/email' : ''}`, 301);
        const digest = await loadDigest(store, period, digestConfig.top);
        if (digest.papers.length === 0) return show(c, noDigestPage(period), 404);
        const composed = composeDigest(digest, ctx.config.publicUrl, c.get('identity'));
        if (!email) return show(c, digestPreviewPage(period, composed.subject));
        // Links leave the frame for the whole window (the site's own pages may not be framed).
        const body = composed
          .html({ unsubscribeUrl: null, forYou: [] })
          .replace('<head>', '<head><base target="_top">');
        return c.html(body, 200, { 'Content-Security-Policy': EMAIL_FRAME_CSP });
      });
    }
  }

  app.get(`/unsubscribe/${TOKEN_PARAM}`, async (c) => {
    const token = c.req.param('token');
    const link = await checkLink(subscribeCtx, token, 'unsubscribe');
    if (!link.ok) return show(c, linkErrorPage(link.reason, 'unsubscribe'), 400);
    return show(c, unsubscribePage(token, link.subscription));
  });
  // The button of that page, and RFC 8058 one-click POSTs (body List-Unsubscribe=One-Click) from mail providers.
  app.post(`/unsubscribe/${TOKEN_PARAM}`, async (c) => {
    const token = c.req.param('token');
    const result = await unsubscribe(subscribeCtx, token);
    if (!result.ok) return show(c, linkErrorPage(result.reason, 'unsubscribe'), 400);
    ctx.logger.info({ subscription: result.subscription.id }, 'digest unsubscribed');
    return show(c, unsubscribedPage(token, result.subscription));
  });
  app.post(`/unsubscribe/${TOKEN_PARAM}/resubscribe`, async (c) => {
    const body = await c.req.parseBody();
    const frequency: DigestFrequency = body.frequency === 'weekly' ? 'weekly' : 'daily';
    const result = await resubscribe(subscribeCtx, c.req.param('token'), frequency);
    if (!result.ok) return show(c, linkErrorPage(result.reason, 'unsubscribe'), 400);
    return show(c, confirmedPage(result.subscription, await latestPeriod(frequency)));
  });
}

function show(c: Context, options: PageOptions, status: 200 | 400 | 404 | 429 = 200) {
  return c.html(layout(options), status);
}
