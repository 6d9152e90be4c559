/**
 * A paper's citation as a file (/papers/:id.bib) and the form that edits its links (/papers/:id/links).
 * Registered before the paper page, whose address pattern would otherwise take both.
 */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { bibtexEntry } from '../domain/citation.ts';
import { paperUrl, signInUrl, paperLinksUrl } from '../domain/urls.ts';
import type { Paper } from '../domain/types.ts';
import type { PaperLinks } from '../store/community-store.ts';
import { PaperLinksService } from '../community/paper-links.ts';
import { viewerFor } from '../http/viewer.ts';
import { layout } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { paperLinksPage, type LinksForm } from './pages/paper-links-page.ts';
import { PAPER_ID_PARAM } from './community-routes.ts';

/** Earlier edits shown under the form. */
const LINK_LOG_SHOWN = 20;

export function registerPaperRoutes(app: Hono, ctx: AppContext, limiter: RateLimiter): void {
  const { store } = ctx;
  const links = new PaperLinksService({ store, limiter });

  app.get('/papers/:file{.+\\.bib}', async (c) => {
    const raw = c.req.param('file').slice(0, -'.bib'.length);
    const id = normalizeArxivId(raw);
    const paper = id ? await store.getPaper(id) : null;
    if (!paper) return c.text(`Paper not found: ${raw.slice(0, 100)}\n`, 404);
    return c.body(bibtexEntry(paper), 200, {
      'Content-Type': 'text/x-bibtex; charset=utf-8',
      'Content-Disposition': `inline; filename="arxiv-${paper.id.replace('/', '-')}.bib"`,
    });
  });

  /** The paper of the address, and whether the member may edit its links; or the response that says why not. */
  const editable = async (c: Context): Promise<Paper | Response> => {
    const account = c.get('auth').account;
    const id = normalizeArxivId(c.req.param('id') ?? '');
    if (!account) return c.redirect(signInUrl(id ? paperLinksUrl(id) : '/'), 303);
    const paper = id ? await store.getPaper(id) : null;
    if (!paper) return c.html(renderErrorPage(404, 'Paper not found', 'Paperboy has no such paper.'), 404);
    if (!(await links.mayEdit(account, paper.id)))
      return c.html(
        renderErrorPage(
          403,
          'Not yours to edit',
          'The links of a paper are edited by the member who submitted it and by the moderators.',
        ),
        403,
      );
    return paper;
  };

  const show = async (c: Context, paper: Paper, form: LinksForm, status: 200 | 400 | 409 | 429 = 200) => {
    const [viewer, changes] = await Promise.all([
      viewerFor(c, store, []),
      store.community.paperLinkChanges(paper.id, LINK_LOG_SHOWN),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.html(layout(paperLinksPage(paper, viewer, form, changes)), status);
  };

  app.get(`/papers/${PAPER_ID_PARAM}/links`, async (c) => {
    const paper = await editable(c);
    if (paper instanceof Response) return paper;
    const current = linksOf(paper);
    return show(c, paper, { values: fieldValues(current), expected: current });
  });

  app.post(`/papers/${PAPER_ID_PARAM}/links`, async (c) => {
    const paper = await editable(c);
    if (paper instanceof Response) return paper;
    const account = c.get('auth').account!;
    const form = await c.req.parseBody();
    const typed = { githubRepo: text(form.github_repo), projectPage: text(form.project_page) };
    // A form shows the links it was made with; a post without them (not from our form) edits what is there now.
    const expected =
      form.expected_github_repo === undefined && form.expected_project_page === undefined
        ? undefined
        : {
            githubRepo: text(form.expected_github_repo) || null,
            projectPage: text(form.expected_project_page) || null,
          };
    const outcome = await links.edit(account, paper.id, typed, expected, c.get('auth').address);
    switch (outcome.status) {
      case 'changed':
      case 'unchanged':
        if (outcome.status === 'changed')
          ctx.logger.info({ member: account.name, paper: paper.id, links: outcome.links }, 'paper links edited');
        return c.redirect(paperUrl(paper.id), 303);
      case 'invalid':
        return show(c, paper, { values: typed, expected: expected ?? linksOf(paper), errors: outcome.errors }, 400);
      case 'conflict':
        return show(c, paper, { values: fieldValues(outcome.links), expected: outcome.links, conflict: true }, 409);
      case 'rate-limited':
        c.header('Retry-After', String(outcome.retryAfter));
        return c.html(
          renderErrorPage(429, 'Slow down', 'You have edited many links lately. Please wait a few minutes.'),
          429,
        );
      case 'forbidden':
        return c.html(renderErrorPage(403, 'Not yours to edit', 'You may no longer edit these links.'), 403);
      case 'missing':
        return c.html(renderErrorPage(404, 'Paper not found', 'Paperboy has no such paper.'), 404);
    }
  });
}

function linksOf(paper: Paper): PaperLinks {
  return { githubRepo: paper.githubRepo, projectPage: paper.projectPage };
}

function fieldValues(links: PaperLinks): LinksForm['values'] {
  return { githubRepo: links.githubRepo ?? '', projectPage: links.projectPage ?? '' };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 2000) : '';
}
