/** The member's data export: everything Paperboy keeps about them, as one JSON download (src/community/export.ts). */
import type { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { exportMember } from '../community/export.ts';
import { signedIn, toSignIn } from './member-handlers.ts';

export function registerExportRoutes(app: Hono, { store }: AppContext): void {
  app.get('/settings/export', async (c) => {
    const me = signedIn(c);
    if (!me) return toSignIn(c, '/settings');
    const now = new Date();
    const data = await exportMember(store, me, now);
    return c.body(`${JSON.stringify(data, null, 2)}\n`, 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="paperboy-${me.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${now.toISOString().slice(0, 10)}.json"`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });
}
