/** /admin/invitations: administrators make invitation links (shown once), list them and revoke them. */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { layout } from './layout.ts';
import { viewerFor } from '../http/viewer.ts';
import { invitationsPage, type InvitationsView } from './pages/invitations-page.ts';
import { createInvitation, INVITATION_DAYS } from '../community/invitations.ts';
import { joinRule } from '../community/join-policy.ts';
import { checkEmail } from '../domain/email.ts';
import { adminsOnly, isAdmin } from './role-routes.ts';

const LISTED = 200;

export function registerInvitationRoutes(app: Hono, ctx: AppContext): void {
  const { access } = ctx.store;
  const render = async (c: Context, options: Partial<InvitationsView> = {}, status: 200 | 400 = 200) => {
    c.header('Cache-Control', 'no-store');
    const view: InvitationsView = {
      viewer: await viewerFor(c, ctx.store, []),
      invitations: await access.invitations(LISTED),
      joinRule: joinRule(ctx.config.access),
      ...options,
    };
    return c.html(layout(invitationsPage(view)), status);
  };

  app.get('/admin/invitations', async (c) => (isAdmin(c) ? render(c) : adminsOnly(c)));
  app.post('/admin/invitations', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const emailInput = typeof form.email === 'string' ? form.email.trim() : '';
    const email = emailInput === '' ? null : checkEmail(emailInput);
    if (email && !email.ok) return render(c, { error: email.error, email: emailInput.slice(0, 254) }, 400);
    const days = INVITATION_DAYS.find((d) => String(d) === form.days);
    if (days === undefined)
      return render(c, { error: `Choose when it expires: after ${INVITATION_DAYS.join(', ')} days.` }, 400);
    const made = await createInvitation(access, ctx.config.publicUrl, {
      email: email?.email ?? null,
      days,
      createdById: admin.id,
    });
    ctx.logger.info(
      { admin: admin.name, invitation: made.invitation.id, email: made.invitation.email },
      'invitation made',
    );
    return render(c, { made });
  });
  app.post('/admin/invitations/:id{[0-9]+}/revoke', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || !(await access.revokeInvitation(id, new Date()))) {
      return render(c, { error: 'That invitation was used or revoked already, or does not exist.' }, 400);
    }
    ctx.logger.info({ admin: admin.name, invitation: id }, 'invitation revoked');
    return c.redirect('/admin/invitations', 303);
  });
}
