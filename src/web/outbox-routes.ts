/**
 * /dev/outbox: the messages written to the outbox folder when no SMTP server is configured (registered only in
 * that mode). A list, newest first, and one message: its headers, its text part with working links, its HTML
 * part on a page of its own (sandboxed: no scripts, no forms) and its raw source.
 *
 * Administrators only: the outbox holds every member's sign-in links and every subscriber's address and
 * confirmation link, so anyone else gets the same 404 as for an address that does not exist (a request from
 * loopback proves nothing: a reverse proxy on the same host is loopback too). The person running a fresh
 * instance signs in through the link written to the server log, then claims the administrator role.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { AppContext } from '../http/app-context.ts';
import { listOutbox, readOutboxMessage } from '../mail/mailer.ts';
import { parseOutboxMessage as parse } from '../mail/outbox-message.ts';
import { layout } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import type { Html } from './html.ts';
import { csrfField } from './csrf.ts';
import { EMAIL_FRAME_CSP } from './security-headers.ts';
import { defaultDigestPeriod, todayIn } from '../digest/digest-period.ts';
import { runDigest } from '../digest/send.ts';
import { forYouDigestProvider } from '../recs/member-feed.ts';

const NAME_PARAM = ':name{[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.eml}';
const LIST_LIMIT = 200;

export function registerOutboxRoutes(app: Hono, ctx: AppContext): void {
  if (ctx.mailer.mode !== 'outbox') return;
  const dir = ctx.config.mail.outboxDir;

  const adminsOnly: MiddlewareHandler = async (c, next) => {
    if (c.get('auth').account?.role !== 'admin') return notFound(c);
    await next();
    c.header('Cache-Control', 'no-store');
  };
  app.use('/dev/outbox', adminsOnly);
  app.use('/dev/outbox/*', adminsOnly);

  app.get('/dev/outbox', async (c) => {
    const files = listOutbox(dir).slice(0, LIST_LIMIT);
    const rows = await Promise.all(files.map(async (file) => ({ name: file.name, message: await parse(file.raw()) })));
    return c.html(
      layout({
        title: 'Outbox',
        body: html`<div class="outbox">
<p class="eyebrow">Development</p>
<h1>Outbox</h1>
<p class="digest-note">No SMTP server is configured (SMTP_URL), so messages are written to <code>${dir}</code>. Newest first${files.length === LIST_LIMIT ? html`, the latest ${LIST_LIMIT}` : ''}.</p>
<form class="digest-actions" method="post" action="/dev/outbox/send-digest">
${csrfField(c.get('auth')?.csrfToken ?? null)}
<label for="outbox-frequency">Send the latest digest now</label>
<select id="outbox-frequency" name="frequency"><option value="daily">Daily</option><option value="weekly">Weekly</option></select>
<button class="button" type="submit">Send</button>
</form>
${
  rows.length === 0
    ? html`<p>The outbox is empty.</p>`
    : html`<ol class="outbox-list">${rows.map(
        ({ name, message }) => html`<li>
<a class="outbox-subject" href="/dev/outbox/${name}">${message.subject || '(no subject)'}</a>
<span class="outbox-meta">to ${message.to} · ${message.date}</span>
</li>`,
      )}</ol>`
}
</div>`,
      }),
    );
  });

  // What `paperboy digest send` does, for trying digests out in the outbox (the ledger still sends each period once).
  app.post('/dev/outbox/send-digest', async (c) => {
    const frequency = (await c.req.parseBody()).frequency === 'weekly' ? 'weekly' : 'daily';
    const config = ctx.config.digest;
    const period = defaultDigestPeriod(frequency, todayIn(config.timeZone, new Date()), await ctx.store.latestDay());
    await runDigest({
      store: ctx.store,
      mailer: ctx.mailer,
      logger: ctx.logger,
      config,
      publicUrl: ctx.config.publicUrl,
      mailFrom: ctx.config.mail.replyTo ?? ctx.config.mail.from,
      period,
      forYou: forYouDigestProvider(ctx.store, ctx.search, ctx.recommender),
    });
    return c.redirect('/dev/outbox', 303);
  });

  app.get(`/dev/outbox/${NAME_PARAM}`, async (c) => {
    const name = c.req.param('name');
    const raw = readOutboxMessage(dir, name);
    if (raw === null) return notFound(c);
    const message = await parse(raw);
    return c.html(
      layout({
        title: message.subject || 'Message',
        body: html`<article class="outbox">
<p class="eyebrow"><a href="/dev/outbox">Outbox</a></p>
<h1 class="outbox-title">${message.subject || '(no subject)'}</h1>
<dl class="outbox-headers">${message.headers.map(([key, value]) => html`<dt>${key}</dt><dd>${value}</dd>`)}</dl>
<p class="outbox-links">${message.html !== null ? html`<a class="button" href="/dev/outbox/${name}/html">HTML version</a> ` : ''}<a class="button" href="/dev/outbox/${name}/raw">Source</a></p>
${message.html !== null ? html`<iframe class="email-frame" src="/dev/outbox/${name}/html" title="The HTML part" sandbox="allow-popups allow-top-navigation-by-user-activation"></iframe>` : ''}
<h2 class="section-heading">Text part</h2>
<pre class="outbox-text">${linkify(message.text)}</pre>
</article>`,
      }),
    );
  });

  app.get(`/dev/outbox/${NAME_PARAM}/html`, async (c) => {
    const raw = readOutboxMessage(dir, c.req.param('name'));
    const message = raw === null ? null : await parse(raw);
    if (!message?.html) return notFound(c);
    // As a mail client shows it: links work, nothing runs.
    return c.html(message.html.replace(/<head>/i, '<head><base target="_top">'), 200, {
      'Content-Security-Policy': EMAIL_FRAME_CSP,
    });
  });

  app.get(`/dev/outbox/${NAME_PARAM}/raw`, (c) => {
    const raw = readOutboxMessage(dir, c.req.param('name'));
    if (raw === null) return notFound(c);
    return c.text(raw, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });
}

function notFound(c: Context) {
  return c.html(renderErrorPage(404, 'Page not found', 'There is nothing at this address.'), 404);
}

/** http(s) URLs in plain text become links; everything else stays escaped text. */
function linkify(text: string): Html[] {
  const parts: Html[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    parts.push(html`${text.slice(last, match.index)}`);
    parts.push(html`<a href="${match[0]}">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return parts;
}
