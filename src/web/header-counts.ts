/**
 * Reads, once per page request of a signed-in member, what the header shows beside their menu: unread
 * notifications and, for moderators, open reports (components/header-badges.ts). Two indexed counts; form
 * posts, feeds, images and the API skip it.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import './components/header-badges.ts';

const SKIPPED = ['/api/', '/feeds/', '/static/', '/images/'];

export function headerCounts(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    const account = c.get('auth')?.account;
    if (account && c.req.method === 'GET' && !SKIPPED.some((prefix) => c.req.path.startsWith(prefix))) {
      const [unread, reports] = await Promise.all([
        ctx.store.notifications.unreadCount(account.id),
        account.role === 'member' ? null : ctx.store.reports.openCount(),
      ]);
      c.set('headerCounts', { unread, reports });
    }
    await next();
  };
}
