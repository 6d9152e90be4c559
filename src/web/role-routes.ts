/** /admin/roles: administrators grant and revoke the moderator role; each change is logged with its reason. */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import type { Role } from '../store/community-store.ts';
import { outranks } from '../community/roles.ts';
import { layout } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { rolesPage } from './pages/roles-page.ts';
import { viewerFor } from '../http/viewer.ts';

const MAX_REASON = 500;

export function registerRoleRoutes(app: Hono, ctx: AppContext): void {
  const { community } = ctx.store;
  const render = async (c: Context, options: { error?: string; name?: string } = {}, status: 200 | 400 | 404 = 200) => {
    c.header('Cache-Control', 'no-store');
    return c.html(layout(rolesPage(await viewerFor(c, ctx.store, []), await community.staff(), options)), status);
  };

  app.get('/admin/roles', async (c) => (isAdmin(c) ? render(c) : adminsOnly(c)));
  app.post('/admin/roles', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const name = typeof form.name === 'string' ? form.name.trim().replace(/^@/, '') : '';
    const reason = typeof form.reason === 'string' ? form.reason.trim().slice(0, MAX_REASON) : '';
    const to: Role | null = form.role === 'moderator' ? 'moderator' : form.role === 'member' ? 'member' : null;
    if (to === null) return render(c, { name, error: 'Choose moderator or member.' }, 400);
    if (reason === '') return render(c, { name, error: 'A reason is needed: every change of role is logged.' }, 400);
    const member = name === '' ? null : await community.getAccountByName(name);
    if (!member) return render(c, { name, error: `There is no member @${name}.` }, 404);
    if (!outranks(admin, member))
      return render(c, { name, error: 'Administrators are changed from the command line only.' }, 400);
    const from: Role = to === 'moderator' ? 'member' : 'moderator';
    if (!(await community.changeRole(member.id, from, to, admin.id, reason, new Date()))) {
      return render(
        c,
        { name, error: `@${member.name} is ${member.role === to ? `a ${to} already` : `not a ${from}`}.` },
        400,
      );
    }
    ctx.logger.warn({ admin: admin.name, member: member.name, role: to, reason }, 'role changed');
    return c.redirect('/admin/roles', 303);
  });
}

export function isAdmin(c: Context): boolean {
  return c.get('auth').account?.role === 'admin';
}

export function adminsOnly(c: Context) {
  return c.html(
    renderErrorPage(403, 'Administrators only', 'This page is for the administrators of this instance.'),
    403,
  );
}
