/**
 * The instance's identity on the web: /about for everyone, the accent stylesheet, and /admin/settings where
 * administrators set the name, description, accent colour, contact address, about text and logo. Every save
 * is CSRF-checked (web/auth/auth.ts), made against the version the form was loaded at (two administrators
 * saving at once: the second is told, nothing is lost silently), and logged field by field.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../http/app-context.ts';
import { layout } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { LOGO_UPLOAD_PATH, aboutPage, settingsPage, type SettingsPageState } from './pages/instance-pages.ts';
import { viewerFor } from '../http/viewer.ts';
import { adminsOnly, isAdmin } from './role-routes.ts';
import { checkSettingsForm, LOGO_MAX_BYTES, type TextField } from '../instance/identity.ts';
import { themeCss } from '../instance/accent.ts';
import type { SettingsUpdate } from '../store/instance-store.ts';
import { IMMUTABLE } from './image-routes.ts';

export { LOGO_UPLOAD_PATH };

const CHANGES_SHOWN = 50;
const CONFLICT =
  'Another administrator saved the settings after you opened this page: nothing was saved. The form now shows their values; make your change again.';

/** The logo upload's body limit: the largest logo accepted, and room for the form around it. */
export const logoBodyLimit = bodyLimit({
  maxSize: LOGO_MAX_BYTES + 64 * 1024,
  onError: (c) =>
    c.html(
      renderErrorPage(
        413,
        'Logo too large',
        `The file is larger than the ${Math.round(LOGO_MAX_BYTES / 1024)} KB a logo may have. Go back and choose a smaller image.`,
      ),
      413,
    ),
});

export function registerInstanceRoutes(app: Hono, ctx: AppContext): void {
  const render = async (c: Context, state: SettingsPageState = {}, status: 200 | 400 | 409 = 200) => {
    c.header('Cache-Control', 'no-store');
    const [viewer, stored, changes] = await Promise.all([
      viewerFor(c, ctx.store, []),
      ctx.store.instance.settings(),
      ctx.identity.changes(CHANGES_SHOWN),
    ]);
    return c.html(layout(settingsPage(viewer, stored, changes, state)), status);
  };
  const outcome = (c: Context, result: SettingsUpdate) => {
    if (result.status === 'conflict') return render(c, { notice: { kind: 'error', text: CONFLICT } }, 409);
    return c.redirect(`/admin/settings?${result.status}=1`, 303);
  };
  const formVersion = (form: Record<string, unknown>) => {
    const version = typeof form.version === 'string' ? Number(form.version) : Number.NaN;
    return Number.isSafeInteger(version) && version >= 0 ? version : null;
  };

  app.get('/about', async (c) => c.html(layout(aboutPage(c.get('identity')))));

  app.get('/theme/:file', (c) => {
    const hex = /^([0-9a-f]{6})\.css$/.exec(c.req.param('file'))?.[1];
    if (!hex) return c.notFound();
    c.header('Cache-Control', IMMUTABLE);
    c.header('Content-Type', 'text/css; charset=utf-8');
    return c.body(themeCss(`#${hex}`));
  });

  app.get('/admin/settings', async (c) => {
    if (!isAdmin(c)) return adminsOnly(c);
    const done = c.req.query('saved') ? 'Saved.' : c.req.query('unchanged') ? 'Nothing changed.' : null;
    return render(c, done ? { notice: { kind: 'success', text: done } } : {});
  });

  app.post('/admin/settings', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const version = formVersion(form);
    const values = Object.fromEntries(
      (['name', 'description', 'accent', 'contact', 'about'] as const).map((f) => [f, String(form[f] ?? '')]),
    ) as Record<TextField, string>;
    if (version === null)
      return render(c, { values, notice: { kind: 'error', text: 'The form is incomplete: reload the page.' } }, 400);
    const checked = checkSettingsForm(form);
    if (!checked.ok)
      return render(
        c,
        {
          values,
          errors: checked.errors,
          notice: { kind: 'error', text: 'Nothing was saved: see the fields marked below.' },
        },
        400,
      );
    return outcome(c, await ctx.identity.save(checked.changes, version, admin));
  });

  app.post(LOGO_UPLOAD_PATH, async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const version = formVersion(form);
    const file = form.logo;
    if (version === null || !(file instanceof File))
      return render(c, { notice: { kind: 'error', text: 'Choose an image file to upload.' } }, 400);
    const result = await ctx.identity.uploadLogo(new Uint8Array(await file.arrayBuffer()), version, admin);
    if (result.status === 'refused')
      return render(c, { notice: { kind: 'error', text: `The logo was not saved. ${result.error}` } }, 400);
    return outcome(c, result);
  });

  app.post(`${LOGO_UPLOAD_PATH}/remove`, async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const version = formVersion(await c.req.parseBody());
    if (version === null)
      return render(c, { notice: { kind: 'error', text: 'The form is incomplete: reload the page.' } }, 400);
    return outcome(c, await ctx.identity.save({ logo: null }, version, admin));
  });
}
