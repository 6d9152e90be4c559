/**
 * /dev/outbox: the messages written to the outbox folder when no SMTP server is configured (registered only in
 * that mode). A list, newest first, and one message: its headers, its text part with working links, its HTML
 * part on a page of its own (sandboxed: no scripts, no forms) and its raw source.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { AppContext } from '../server/app.ts';
import { listOutbox, readOutboxMessage } from '../mail/mailer.ts';
import { layout } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import type { Html } from './html.ts';
import { csrfField } from './csrf.ts';
import { defaultDigestPeriod, todayIn } from '../digest/digest-period.ts';
import { runDigest } from '../digest/send.ts';
import { forYouDigestProvider } from './for-you.ts';

const NAME_PARAM = ':name{[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.eml}';
const LIST_LIMIT = 200;

interface ParsedMessage {
  subject: string;
  to: string;
  from: string;
  date: string;
  text: string;
  html: string | null;
  headers: [string, string][];
}

export function registerOutboxRoutes(app: Hono, ctx: AppContext): void {
  if (ctx.mailer.mode !== 'outbox') return;
  const dir = ctx.config.mail.outboxDir;

  app.get('/dev/outbox', async (c) => {
    const files = listOutbox(dir).slice(0, LIST_LIMIT);
    const rows = await Promise.all(files.map(async (file) => ({ name: file.name, message: await parse(file.raw()) })));
    return c.html(layout({
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
${rows.length === 0 ? html`<p>The outbox is empty.</p>` : html`<ol class="outbox-list">${rows.map(({ name, message }) => html`<li>
<a class="outbox-subject" href="/dev/outbox/${name}">${message.subject || '(no subject)'}</a>
<span class="outbox-meta">to ${message.to} · ${message.date}</span>
</li>`)}</ol>`}
</div>`,
    }));
  });

  // What `paperboy digest send` does, for trying digests out in the outbox (the ledger still sends each period once).
  app.post('/dev/outbox/send-digest', async (c) => {
    const frequency = (await c.req.parseBody()).frequency === 'weekly' ? 'weekly' : 'daily';
    const config = ctx.config.digest;
    const period = defaultDigestPeriod(frequency, todayIn(config.timeZone, new Date()), await ctx.store.latestDay());
    await runDigest({
      store: ctx.store, mailer: ctx.mailer, logger: ctx.logger, config, publicUrl: ctx.config.publicUrl,
      mailFrom: ctx.config.mail.replyTo ?? ctx.config.mail.from, period, forYou: forYouDigestProvider(ctx.store, ctx.search),
    });
    return c.redirect('/dev/outbox', 303);
  });

  app.get(`/dev/outbox/${NAME_PARAM}`, async (c) => {
    const name = c.req.param('name');
    const raw = readOutboxMessage(dir, name);
    if (raw === null) return notFound(c);
    const message = await parse(raw);
    return c.html(layout({
      title: message.subject || 'Message',
      body: html`<article class="outbox">
<p class="eyebrow"><a href="/dev/outbox">Outbox</a></p>
<h1 class="outbox-title">${message.subject || '(no subject)'}</h1>
<dl class="outbox-headers">${message.headers.map(([key, value]) => html`<dt>${key}</dt><dd>${value}</dd>`)}</dl>
<p class="outbox-links">${message.html !== null ? html`<a class="button" href="/dev/outbox/${name}/html">HTML version</a> ` : ''}<a class="button" href="/dev/outbox/${name}/raw">Source</a></p>
<h2 class="section-heading">Text part</h2>
<pre class="outbox-text">${linkify(message.text)}</pre>
</article>`,
    }));
  });

  app.get(`/dev/outbox/${NAME_PARAM}/html`, async (c) => {
    const raw = readOutboxMessage(dir, c.req.param('name'));
    const message = raw === null ? null : await parse(raw);
    if (!message?.html) return notFound(c);
    // As a mail client shows it: links work, nothing runs.
    return c.html(message.html, 200, { 'Content-Security-Policy': "sandbox allow-top-navigation-by-user-activation allow-popups; default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:" });
  });

  app.get(`/dev/outbox/${NAME_PARAM}/raw`, (c) => {
    const raw = readOutboxMessage(dir, c.req.param('name'));
    if (raw === null) return notFound(c);
    return c.text(raw, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });
}

function notFound(c: Context) {
  return c.html(renderErrorPage(404, 'Message not found', 'There is no such message in the outbox.'), 404);
}

const SHOWN_HEADERS = ['from', 'to', 'reply-to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id'];

/** mailparser is loaded on first use: only the outbox pages (a development aid) need it. */
async function parse(raw: string): Promise<ParsedMessage> {
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw);
  const headers: [string, string][] = [];
  for (const line of mail.headerLines) {
    if (!SHOWN_HEADERS.includes(line.key)) continue;
    const value = line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    headers.push([line.line.slice(0, line.line.indexOf(':')), value]);
  }
  const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text ?? '';
  return {
    subject: mail.subject ?? '',
    to,
    from: mail.from?.text ?? '',
    date: mail.date ? mail.date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    headers,
  };
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
