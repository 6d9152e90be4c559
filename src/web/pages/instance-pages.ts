/** /about (the instance described by its administrators, with its rules) and /admin/settings (where they do so). */
import { html, raw } from 'hono/html';
import type { PageOptions } from '../layout.ts';
import type { Html } from '../html.ts';
import { csrfField } from '../csrf.ts';
import type { Viewer } from '../../http/viewer.ts';
import { renderMarkdown } from '../../community/markdown.ts';
import {
  ABOUT_MAX_CHARS,
  DEFAULT_DESCRIPTION,
  DEFAULT_NAME,
  DESCRIPTION_MAX_CHARS,
  LOGO_MAX_BYTES,
  LOGO_MAX_SIDE,
  NAME_MAX_CHARS,
  type InstanceIdentity,
  type TextField,
} from '../../instance/identity.ts';
import type { InstanceSettingChange, StoredInstanceSettings } from '../../store/instance-store.ts';
import { memberUrl } from '../../domain/urls.ts';
import { DELETED_MEMBER } from '../../domain/handles.ts';

export const LOGO_UPLOAD_PATH = '/admin/settings/logo';

export function aboutPage(identity: InstanceIdentity): PageOptions {
  return {
    title: 'About',
    description: `${identity.name} — ${identity.description}`,
    body: html`<article class="prose about-text">
<h1>About ${identity.name}</h1>
<p class="lead">${identity.name} — ${identity.description}</p>
${
  identity.about
    ? // The only raw HTML here: renderMarkdown escapes all HTML written in the text (community/markdown.ts).
      html`<div class="about-body">${raw(renderMarkdown(identity.about))}</div>`
    : html`<p>A place where a community shares, upvotes and discusses the research papers it reads. Members submit papers to the daily feed, vote and comment; moderators keep it clean, and every decision they take is in the public <a href="/moderation">moderation log</a>.</p>`
}
<h2>How this site works</h2>
<ul>
<li><a href="/about/trending">How trending works</a>: the one formula that ranks papers.</li>
<li><a href="/moderation">Moderation log</a>: what moderators hid or banned, and why.</li>
<li><a href="/digest">Email digest</a> and <a href="/feeds/daily.rss">RSS feed</a> of the daily papers.</li>
</ul>
${identity.contact ? html`<h2>Contact</h2><p>Write to <a href="mailto:${identity.contact}">${identity.contact}</a>.</p>` : ''}
${identity.name === DEFAULT_NAME ? '' : html`<p class="muted">This site runs Paperboy, a self-hostable Daily Papers site.</p>`}
</article>`,
  };
}

export interface SettingsPageState {
  /** The values shown in the form (what was sent, after an error). */
  values?: Partial<Record<TextField, string>>;
  errors?: Partial<Record<TextField, string>>;
  /** One sentence above the forms: what went wrong (an error) or what was done. */
  notice?: { kind: 'error' | 'success'; text: string } | undefined;
}

/** `stored`: the settings as stored (null: the default), so that an unset field shows empty with the default as placeholder. */
export function settingsPage(
  viewer: Viewer,
  stored: StoredInstanceSettings,
  changes: InstanceSettingChange[],
  state: SettingsPageState = {},
): PageOptions {
  const value = (field: TextField) => state.values?.[field] ?? stored.settings[field] ?? '';
  const error = (field: TextField) =>
    state.errors?.[field] ? html`<p class="field-error" id="${field}-error">${state.errors[field]}</p>` : '';
  const described = (field: TextField) =>
    state.errors?.[field] ? html` aria-describedby="${field}-error" aria-invalid="true"` : '';
  const { logo } = stored.settings;
  return {
    title: 'Instance settings',
    viewer,
    body: html`<div class="form-page">
<h1 class="page-title">Instance settings</h1>
<p class="lead">How this instance names and presents itself: in page titles, the header, feeds, emails and link previews. Leave a field empty for the default. Every change is logged below with who made it.</p>
${state.notice ? html`<p class="notice ${state.notice.kind === 'error' ? 'notice-error' : 'notice-ok'}" role="${state.notice.kind === 'error' ? 'alert' : 'status'}">${state.notice.text}</p>` : ''}
<div class="settings-grid">
<form method="post" action="/admin/settings" class="stack-form" aria-labelledby="identity-heading">
<h2 id="identity-heading" class="section-heading">Identity</h2>
${csrfField(viewer.csrfToken)}
<input type="hidden" name="version" value="${stored.version}">
<label for="name">Name</label>
<input id="name" name="name" maxlength="${NAME_MAX_CHARS}" placeholder="${DEFAULT_NAME}" value="${value('name')}"${described('name')}>
${error('name')}
<label for="description">Short description</label>
<p class="field-hint">One line, shown after the name in the footer and on the about page.</p>
<input id="description" name="description" maxlength="${DESCRIPTION_MAX_CHARS}" placeholder="${DEFAULT_DESCRIPTION}" value="${value('description')}"${described('description')}>
${error('description')}
<label for="accent">Accent colour</label>
<p class="field-hint">Six hexadecimal digits, e.g. #0f766e. Links and buttons use it, adjusted where needed to stay readable in the light and dark schemes.</p>
<input id="accent" name="accent" maxlength="7" placeholder="#4338ca" pattern="#?[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?" value="${value('accent')}"${described('accent')}>
${error('accent')}
<label for="contact">Contact address</label>
<p class="field-hint">An email address shown in the footer and on the about page.</p>
<input id="contact" name="contact" type="email" maxlength="254" value="${value('contact')}"${described('contact')}>
${error('contact')}
<label for="about">About and rules</label>
<p class="field-hint">Shown on <a href="/about">/about</a>. Markdown: paragraphs, lists, <em>*emphasis*</em>, links; HTML is shown as text. At most ${ABOUT_MAX_CHARS.toLocaleString('en')} characters.</p>
<textarea id="about" name="about" rows="10" maxlength="${ABOUT_MAX_CHARS}"${described('about')}>${value('about')}</textarea>
${error('about')}
<button type="submit" class="button button-primary">Save settings</button>
</form>
<section class="stack-form" aria-labelledby="logo-heading">
<h2 id="logo-heading" class="section-heading">Logo</h2>
<div class="settings-logo">${logo ? html`<img src="${logo}" alt="The current logo"><span>The current logo, shown before the name in the header.</span>` : html`<span>No logo: the built-in mark is shown.</span>`}</div>
<form method="post" action="${LOGO_UPLOAD_PATH}" enctype="multipart/form-data" class="stack-form-plain">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="version" value="${stored.version}">
<label for="logo">Upload a logo</label>
<p class="field-hint">PNG, JPEG, GIF or WebP (not SVG), at most ${Math.round(LOGO_MAX_BYTES / 1024)} KB and ${LOGO_MAX_SIDE} pixels a side; square or wide, shown 28 pixels high.</p>
<input id="logo" name="logo" type="file" accept="image/png,image/jpeg,image/gif,image/webp" required>
<button type="submit" class="button">Upload logo</button>
</form>
${
  logo
    ? html`<form method="post" action="${LOGO_UPLOAD_PATH}/remove" class="stack-form-plain">${csrfField(viewer.csrfToken)}<input type="hidden" name="version" value="${stored.version}"><button type="submit" class="button">Remove the logo</button></form>`
    : ''
}
</section>
<section aria-labelledby="log-heading">
<h2 id="log-heading" class="section-heading">Changes</h2>
${changes.length === 0 ? html`<p class="muted">No changes yet: everything is as an unconfigured instance shows it.</p>` : html`<ul class="settings-log">${changes.map(changeItem)}</ul>`}
</section>
</div>
</div>`,
  };
}

const FIELD_LABELS: Record<InstanceSettingChange['field'], string> = {
  name: 'the name',
  description: 'the description',
  logo: 'the logo',
  accent: 'the accent colour',
  contact: 'the contact address',
  about: 'the about text',
};

function changeItem(change: InstanceSettingChange): Html {
  const who =
    change.by === DELETED_MEMBER ? html`a deleted member` : html`<a href="${memberUrl(change.by)}">@${change.by}</a>`;
  const shown = (text: string | null) => (text === null ? html`<em>the default</em>` : html`“${text}”`);
  // Long texts and image paths are named, not quoted: the log says what changed, the form shows the rest.
  const what =
    change.field === 'about' || change.field === 'logo'
      ? html`${change.newValue === null ? 'removed' : 'changed'} ${FIELD_LABELS[change.field]}`
      : html`changed ${FIELD_LABELS[change.field]} from ${shown(change.oldValue)} to ${shown(change.newValue)}`;
  return html`<li>${who} ${what} <span class="muted">· <time datetime="${change.at}">${change.at.slice(0, 16).replace('T', ' ')} UTC</time></span></li>`;
}
