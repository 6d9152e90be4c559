/**
 * A member's notifications: the list (/notifications, paged by id), read marks, email choices, and the one-click
 * unsubscribe links of notification emails (/unsubscribe/notifications/TOKEN: the signed token is the proof, so
 * mail providers may POST there without a session or CSRF token, RFC 8058).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../http/app-context.ts';
import { viewerFor } from '../http/viewer.ts';
import { doneNotice, memberPage, signedIn, toSignIn } from './member-handlers.ts';
import {
  notificationsPage,
  notificationUnsubscribedPage,
  notificationUnsubscribePage,
} from './pages/notification-pages.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { EMAIL_MODES, NOTIFICATION_KINDS } from '../store/notification-store.ts';
import { readNotificationToken, verifyNotificationToken } from '../notify/tokens.ts';
import { layout } from './layout.ts';

const PAGE_SIZE = 30;
const TOKEN_PARAM = ':token{[A-Za-z0-9._-]{1,200}}';
const NOTICES = { read: 'Marked read.', email: 'Email choices saved.' };

const emailForm = z.object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, z.enum(EMAIL_MODES)])));
const readForm = z.union([
  z.object({ all: z.literal('1') }),
  z.object({
    id: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/)
      .transform(Number),
  }),
]);

export function registerNotificationRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get('/notifications', async (c) => {
    const account = signedIn(c);
    if (!account) return toSignIn(c, '/notifications');
    const before = c.req.query('before');
    if (before !== undefined && !/^[1-9][0-9]{0,15}$/.test(before))
      return c.html(renderErrorPage(400, 'Invalid page', 'Older notifications are paged by a number.'), 400);
    const [list, unread, emailModes, viewer] = await Promise.all([
      store.notifications.list(account.id, PAGE_SIZE + 1, before === undefined ? undefined : Number(before)),
      store.notifications.unreadCount(account.id),
      store.notifications.emailModes(account.id),
      viewerFor(c, store, []),
    ]);
    const shown = list.slice(0, PAGE_SIZE);
    return memberPage(
      c,
      notificationsPage({
        viewer,
        notifications: shown,
        unread,
        emailModes,
        olderThan: list.length > PAGE_SIZE ? shown[shown.length - 1]!.id : null,
        notice: doneNotice(c, NOTICES),
      }),
    );
  });

  app.post('/notifications/read', async (c) => {
    const account = signedIn(c);
    if (!account) return toSignIn(c, '/notifications');
    const form = readForm.safeParse(await c.req.parseBody());
    if (!form.success)
      return c.html(renderErrorPage(400, 'Nothing to mark', 'Mark one notification, or all of them.'), 400);
    await store.notifications.markRead(account.id, 'all' in form.data ? 'all' : [form.data.id], new Date());
    return c.redirect('/notifications?done=read', 303);
  });

  app.post('/notifications/email', async (c) => {
    const account = signedIn(c);
    if (!account) return toSignIn(c, '/notifications');
    const form = emailForm.safeParse(await c.req.parseBody());
    if (!form.success)
      return c.html(renderErrorPage(400, 'Invalid choice', 'Each kind is emailed at once, daily, or not at all.'), 400);
    const now = new Date();
    for (const kind of NOTIFICATION_KINDS)
      await store.notifications.setEmailMode(account.id, kind, form.data[kind]!, now);
    return c.redirect('/notifications?done=email#email', 303);
  });

  /** The member and scope of a valid link; null when the link is not one (or no longer holds). */
  const checkLink = async (token: string) => {
    const read = readNotificationToken(token);
    const member = read ? await store.community.getAccount(read.memberId) : null;
    if (!read || !member?.email || member.deletedAt) return null;
    const secret = await store.subscriptions.signingSecret();
    return verifyNotificationToken(secret, token, member.email) ? { ...read, member } : null;
  };
  const badLink = () =>
    renderErrorPage(
      400,
      'Invalid link',
      'This unsubscribe link is not valid (it may be cut short). Change what is emailed on your notifications page.',
    );

  app.get(`/unsubscribe/notifications/${TOKEN_PARAM}`, async (c) => {
    const token = c.req.param('token');
    const link = await checkLink(token);
    if (!link) return c.html(badLink(), 400);
    return c.html(layout(notificationUnsubscribePage(token, link.scope)));
  });

  app.post(`/unsubscribe/notifications/${TOKEN_PARAM}`, async (c) => {
    const link = await checkLink(c.req.param('token'));
    if (!link) return c.html(badLink(), 400);
    const now = new Date();
    for (const kind of link.scope === 'all' ? NOTIFICATION_KINDS : [link.scope])
      await store.notifications.setEmailMode(link.memberId, kind, 'off', now);
    ctx.logger.info({ member: link.memberId, scope: link.scope }, 'notification emails stopped');
    return c.html(layout(notificationUnsubscribedPage(link.scope)));
  });
}
