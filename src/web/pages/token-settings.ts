/** Settings, "Access tokens": a member's tokens for scripts and assistants, made, listed and revoked here. */
import { html } from 'hono/html';
import type { ApiToken } from '../../store/token-store.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import type { Viewer } from '../../http/viewer.ts';
import { csrfField } from '../csrf.ts';
import { formatDay } from '../../domain/format.ts';
import { TOKEN_NAME_MAX } from '../../community/api-tokens.ts';

const SCOPE_LABEL = { read: 'read', write: 'read and write' } as const;

function lastUsed(token: ApiToken): string {
  if (token.lastUsedAt === null) return 'never used';
  return `last used ${formatDay(token.lastUsedAt)} ${token.lastUsedAt.slice(11, 16)} UTC`;
}

export interface TokenForm {
  name?: string | undefined;
  scope?: string | undefined;
  error?: string | undefined;
}

function tokenForm(viewer: Viewer, form: TokenForm = {}): Html {
  const scope = form.scope === 'write' ? 'write' : 'read';
  return html`<form method="post" action="/settings/tokens" class="stack-form token-form">
${csrfField(viewer.csrfToken)}
<label for="token-name">Token name</label>
<input id="token-name" name="name" required maxlength="${TOKEN_NAME_MAX}" placeholder="e.g. Claude on my laptop" value="${form.name ?? ''}"${form.error ? html` aria-invalid="true" aria-describedby="token-error"` : ''}>
<fieldset class="choices choices-stacked"><legend>It may</legend>
<label class="choice"><input type="radio" name="scope" value="read"${scope === 'read' ? ' checked' : ''}> Read: search, papers, your collections and “for you”</label>
<label class="choice"><input type="radio" name="scope" value="write"${scope === 'write' ? ' checked' : ''}> Read and write: also upvote, save, submit and comment as you</label>
</fieldset>
<button type="submit" class="button">Make token</button>
</form>`;
}

/** The section of the settings page. */
export function tokenSettings(viewer: Viewer, tokens: readonly ApiToken[], publicUrl: string, revoked: boolean): Html {
  return html`<h2 class="section-heading" id="tokens">Access tokens</h2>
${revoked ? html`<p class="notice notice-ok" role="status">Token revoked: it no longer works.</p>` : ''}
<p>Scripts and AI assistants act as you with a token: on the JSON API and the MCP server at <code>${publicUrl}/mcp</code> (<code>Authorization: Bearer …</code>). Treat a token like a password; revoke one you no longer use or that may have leaked.</p>
${
  tokens.length === 0
    ? html`<p class="muted">You have no tokens.</p>`
    : html`<ul class="moderation-list token-list">${tokens.map(
        (token) => html`<li>
<strong>${token.name}</strong> <span class="muted">${SCOPE_LABEL[token.scope]} · made ${formatDay(token.createdAt)} · ${lastUsed(token)}</span>
<form method="post" action="/settings/tokens/${token.id}/revoke" class="inline-form">${csrfField(viewer.csrfToken)}
<button type="submit" class="button" aria-label="Revoke ${token.name}">Revoke</button></form>
</li>`,
      )}</ul>`
}
<h3 class="token-new-heading">New token</h3>
${tokenForm(viewer)}`;
}

/** After making a token: the token itself, this once; or why it was not made, with the form again. */
export function tokenMadePage(
  viewer: Viewer,
  result: { token: ApiToken; secret: string; publicUrl: string } | { form: TokenForm },
): PageOptions {
  const body =
    'secret' in result
      ? html`<h1>Your new token</h1>
<div class="notice notice-ok" role="status"><p><strong>${result.token.name}</strong> (${SCOPE_LABEL[result.token.scope]}) is ready. Copy it now: it is not shown again, and Paperboy keeps only a fingerprint of it.</p>
<p><input class="share-input token-secret" readonly value="${result.secret}" aria-label="Your new token" size="60"></p></div>
<p>Use it as <code>Authorization: Bearer ${result.secret.slice(0, 7)}…</code> on <code>${result.publicUrl}/api/</code> and <code>${result.publicUrl}/mcp</code>; with the <code>paperboy mcp</code> command, as <code>PAPERBOY_TOKEN</code>.</p>
<p><a class="button button-primary" href="/settings#tokens">Back to settings</a></p>`
      : html`<h1>Token not made</h1>
<p class="notice notice-error" role="alert" id="token-error">${result.form.error}</p>
${tokenForm(viewer, result.form)}
<p><a href="/settings#tokens">Back to settings</a></p>`;
  return { title: 'Access token', viewer, body: html`<section class="form-page">${body}</section>` };
}
