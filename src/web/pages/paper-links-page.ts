/** The form that edits a paper's project page and GitHub repository, with the log of earlier edits. */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { formatDay } from '../../domain/format.ts';
import { memberUrl, paperLinksUrl, paperUrl } from '../../domain/urls.ts';
import type { LinkChange, PaperLinks } from '../../store/community-store.ts';
import type { LinkErrors, LinkField } from '../../community/paper-links.ts';
import { MAX_LINK_LENGTH } from '../../community/paper-links.ts';
import type { Viewer } from '../../http/viewer.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';

export interface LinksForm {
  /** What the fields hold (as typed, when the form comes back with errors). */
  values: { githubRepo: string; projectPage: string };
  /** The links as the member saw them, sent back so that an edit made meanwhile is not overwritten. */
  expected: PaperLinks;
  errors?: LinkErrors | undefined;
  /** Someone changed the links since the form was shown: the fields hold what is stored now. */
  conflict?: boolean | undefined;
  saved?: boolean | undefined;
}

export function paperLinksPage(paper: Paper, viewer: Viewer, form: LinksForm, changes: LinkChange[]): PageOptions {
  const errors = form.errors ?? {};
  const field = (name: LinkField, id: string, label: string, hint: string, placeholder: string) => {
    const error = errors[name];
    return html`<label for="${id}">${label}</label>
<input id="${id}" name="${id}" type="text" inputmode="url" autocomplete="url" autocapitalize="none" spellcheck="false" maxlength="${MAX_LINK_LENGTH}" placeholder="${placeholder}" value="${form.values[name]}" aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"${error ? html` aria-invalid="true"` : ''}>
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
<p class="hint" id="${id}-hint">${hint}</p>`;
  };
  const hasErrors = Object.keys(errors).length > 0;
  return {
    title: `Links of ${paper.title}`,
    viewer,
    nav: 'papers',
    navCurrent: 'true',
    body: html`<section class="form-page">
<p class="eyebrow"><a href="${paperUrl(paper.id)}">← arXiv:${paper.id}</a></p>
<h1>Project page and repository</h1>
<p class="lead">Of <a href="${paperUrl(paper.id)}">${paper.title}</a>. Every change is logged with your handle.</p>
${form.saved ? html`<p class="notice notice-info" role="status">Links saved.</p>` : ''}
${form.conflict ? html`<p class="notice notice-error" role="alert">Someone changed these links while you were editing. The form now shows the links as they are: check them and save again.</p>` : ''}
${hasErrors ? html`<p class="notice notice-error" role="alert">Please correct the link${Object.keys(errors).length > 1 ? 's' : ''} below.</p>` : ''}
<form method="post" action="${paperLinksUrl(paper.id)}" class="stack-form">
${csrfField(viewer.csrfToken)}
<input type="hidden" name="expected_github_repo" value="${form.expected.githubRepo ?? ''}">
<input type="hidden" name="expected_project_page" value="${form.expected.projectPage ?? ''}">
${field('githubRepo', 'github_repo', 'GitHub repository', 'https://github.com/owner/repo; leave empty for none.', 'https://github.com/owner/repo')}
${field('projectPage', 'project_page', 'Project page', 'An https:// address; leave empty for none.', 'https://example.org/project')}
<button type="submit" class="button button-primary">Save links</button>
</form>
${changes.length > 0 ? linkLog(changes) : ''}
</section>`,
  };
}

function linkLog(changes: LinkChange[]): Html {
  const value = (url: string | null) => (url ? html`<code>${url}</code>` : html`<em>none</em>`);
  const diff = (label: string, before: string | null, after: string | null) =>
    before === after ? '' : html`<li>${label}: ${value(before)} → ${value(after)}</li>`;
  return html`<h2 class="section-heading">Earlier changes</h2>
<ol class="link-log">${changes.map(
    (c) =>
      html`<li><p><time datetime="${c.at}">${formatDay(c.at)}</time>, by ${
        c.editorDeleted ? c.editor : html`<a href="${memberUrl(c.editor)}">@${c.editor}</a>`
      }</p><ul>${diff('Repository', c.before.githubRepo, c.after.githubRepo)}${diff('Project page', c.before.projectPage, c.after.projectPage)}</ul></li>`,
  )}</ol>`;
}
