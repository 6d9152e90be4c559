/**
 * The server-rendered pages. Handlers parse the address, call the store, and hand plain data to a
 * page function; every page is readable without JavaScript.
 */
import type { Context, Hono } from 'hono';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { parseDay, parsePeriod, toDay, type PeriodKind } from '../domain/periods.ts';
import type { AppContext } from '../http/app-context.ts';
import { wantsJson } from '../http/json-errors.ts';
import { findAsset } from './assets.ts';
import { loadFeed } from './feed.ts';
import { sharedBytes, sharedPage } from './shared-page.ts';
import { prefersMarkdown } from '../http/accept.ts';
import { serveCached, type Bytes } from '../http/compression.ts';
import { paperMarkdown, MARKDOWN } from '../domain/paper-markdown.ts';
import { layout, type PageOptions } from './layout.ts';
import type { Paper } from '../domain/types.ts';
import { dailyPage, noPapersPage } from './pages/daily-page.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { organizationPage } from './pages/organization-page.ts';
import { missingPaperPage, paperPage } from './pages/paper-page.ts';
import { canEditLinks, linkEditTarget } from '../community/paper-links.ts';
import { searchFormPage, searchPage, searchStartPage } from './pages/search-page.ts';
import { parseSearchPage } from './search-page-params.ts';
import { similarPapers } from '../search/similar.ts';
import { PAGE_SIZE, dayUrl, paperUrl } from '../domain/urls.ts';
import { isModerator, viewerFollows, viewerFor, type Viewer } from '../http/viewer.ts';
import { searchFollowTarget } from './components/follow-button.ts';
import { paperModerationBox } from './pages/community-pages.ts';
import { discussionSection } from './discussion.ts';
import { parsePage } from './page-number.ts';
import { html } from 'hono/html';
import { paperAuthorship, verifiedAuthorsModeration } from './components/authorship.ts';

export { renderErrorPage };

const PERIOD_FORMATS: Record<PeriodKind, string> = {
  day: 'Dates look like 2026-07-24 (year-month-day), from 1900 to 2999.',
  week: 'Weeks are ISO weeks and look like 2026-W30 (year, W, week number 01–53).',
  month: 'Months look like 2026-07 (year-month).',
};
const PERIOD_NAMES: Record<PeriodKind, string> = { day: 'date', week: 'week', month: 'month' };

/** An arXiv id, new style or old style with its one slash; anything else is checked in the handler. */
const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
/** Upvoters named on a paper page, newest first. */
const UPVOTERS_SHOWN = 60;

export function registerPages(app: Hono, ctx: AppContext): void {
  const { store } = ctx;
  const { periodPages: feedCache, paperPages: paperCache } = ctx.caches;

  // Compressed once per encoding and kept for the life of the process (three files).
  const assetCopies = new Map<string, Bytes>();
  app.get('/static/:file', (c) => {
    const asset = findAsset(c.req.path);
    if (!asset) return notFound(c, 'There is no such file.');
    return serveCached(c, assetCopies, asset.url, asset.contentType, async () => asset.body, {
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: asset.etag,
    });
  });

  const latestFeed = async (c: Context) => {
    const latest = await store.latestDay();
    if (!latest) return show(c, noPapersPage(toDay(new Date())));
    return feed(c, 'day', latest);
  };

  const feed = async (c: Context, kind: PeriodKind, text: string) => {
    const period = parsePeriod(kind, text);
    if (!period)
      return badRequest(
        c,
        `Invalid ${PERIOD_NAMES[kind]}`,
        `“${text}” is not a valid ${PERIOD_NAMES[kind]}. ${PERIOD_FORMATS[kind]}`,
      );
    const page = parsePage(c.req.query('p'));
    if (page === null) return badRequest(c, 'Invalid page number', 'Page numbers are whole numbers starting at 1.');
    return sharedPage(
      c,
      feedCache,
      async () => `${await store.dataVersion()}:${period.label}?p=${page}`,
      async () => {
        const view = await loadFeed(store, period, page);
        if (!view) return notFound(c, `There is no page ${page} of this feed.`);
        // A member's page shows their votes.
        const viewer = c.get('auth').account
          ? await viewerFor(
              c,
              store,
              view.entries.map((e) => e.paper.id),
            )
          : undefined;
        return dailyPage({ ...view, viewer });
      },
    );
  };

  app.get('/', latestFeed);
  app.get('/papers', (c) => {
    // The Hugging Face site searches at /papers?q=…; here search has its own page.
    if (c.req.query('q') !== undefined) return c.redirect(`/search${new URL(c.req.url).search}`, 302);
    const date = c.req.query('date');
    if (date === undefined) return latestFeed(c);
    const day = parseDay(date.trim());
    if (!day) return badRequest(c, 'Invalid date', `“${date}” is not a valid date. ${PERIOD_FORMATS.day}`);
    return c.redirect(dayUrl(day), 302);
  });
  app.get('/papers/date/:day', (c) => feed(c, 'day', c.req.param('day')));
  app.get('/papers/week/:week', (c) => feed(c, 'week', c.req.param('week')));
  app.get('/papers/month/:month', (c) => feed(c, 'month', c.req.param('month')));

  // Registered after the period pages, which therefore win for /papers/date/… and friends.
  app.get(`/papers/${PAPER_ID_PARAM}`, async (c) => {
    const text = c.req.param('id');
    const id = normalizeArxivId(text);
    if (!id) return notFound(c, `“${text}” is not an arXiv identifier. Paper addresses look like /papers/2607.12345.`);
    if (id !== text) return c.redirect(paperUrl(id), 301);
    // One address, two representations: HTML, or with `Accept: text/markdown` the text of /papers/ID.md.
    c.header('Vary', 'Accept');
    if (prefersMarkdown(c.req.header('accept'))) {
      const markdownKey = async () => `${await store.dataVersion()}:markdown:${id}`;
      return sharedBytes(c, paperCache, markdownKey, MARKDOWN, async () => {
        const paper = await store.getPaper(id);
        if (!paper) return c.text(`Paper not found: ${id}\n`, 404);
        return Buffer.from(paperMarkdown(paper, ctx.config.publicUrl));
      });
    }
    // Similar papers cost a vector search: the page is shared like the feed, keyed by the data version.
    const key = async () => `${await store.dataVersion()}:${ctx.search.embedder?.id ?? 'lexical'}:${id}`;
    return sharedPage(c, paperCache, key, async () => {
      const [paper, featuredDays, [lastLinkChange], claims] = await Promise.all([
        store.getPaper(id),
        store.featuredDays(id),
        store.community.paperLinkChanges(id, 1),
        store.claims.claimsOnPaper(id),
      ]);
      // A valid id Paperboy does not have: a real page that says where to read it and how to bring it here
      // (a JSON client gets the error as ever, http/json-errors.ts).
      if (!paper)
        return wantsJson(c)
          ? notFound(c, `Paperboy has no paper with the id ${id}.`, 'Paper not found')
          : c.html(layout(missingPaperPage(id)), 404);
      const similar = await similarPapers(ctx, paper);
      const viewer = await viewerFor(c, store, [paper.id, ...similar.map((p) => p.id)]);
      const member = viewer.account;
      const [upvoters, linkTarget] = member
        ? await Promise.all([store.community.paperUpvoters(id, UPVOTERS_SHOWN), linkEditTarget(store, id)])
        : [undefined, undefined];
      const authorship = paperAuthorship(paper, claims, viewer);
      return paperPage({
        paper,
        featuredDays,
        publicUrl: ctx.config.publicUrl,
        similar,
        viewer: member ? viewer : undefined,
        discussion: await discussionSection(ctx, paper, viewer, claims),
        moderation: isModerator(member)
          ? html`${paperModerationBox(paper.id, viewer)}${verifiedAuthorsModeration(paper, authorship, viewer)}`
          : undefined,
        upvoters,
        canEditLinks: linkTarget !== undefined && canEditLinks(member, linkTarget),
        lastLinkChange,
        authorship,
      });
    });
  });

  app.get('/search', async (c) => {
    const input = parseSearchPage(c.req.query());
    if (!input.ok && input.state)
      return c.html(layout(searchFormPage(input.state, input.error, await store.filterFacets())), 400);
    if (!input.ok) return badRequest(c, 'Invalid search', input.error);
    if (input.request.q.trim() === '') return show(c, searchStartPage(input.state));
    const response = await ctx.search.search(input.request);
    // An arXiv id or URL goes straight to its paper.
    const named = response.parsed.arxivId
      ? response.results.find((r) => r.paper.id === response.parsed.arxivId)
      : undefined;
    if (named) return c.redirect(paperUrl(named.paper.id), 302);
    if (input.page > 1 && response.results.length === 0)
      return notFound(c, `There is no page ${input.page} of these results.`);
    const viewer = await viewerFor(
      c,
      store,
      response.results.map((r) => r.paper.id),
    );
    const following = await viewerFollows(store, viewer, 'search', searchFollowTarget(input.state));
    const facets = await store.filterFacets();
    return show(
      c,
      searchPage({
        state: input.state,
        page: input.page,
        limit: input.request.limit,
        response,
        viewer,
        following,
        facets,
      }),
    );
  });

  /** An organization's or an author's page: who they are, then their papers newest first, paged. */
  const profile =
    <Summary>(
      kind: 'organization' | 'author',
      find: (name: string) => Promise<Summary | null>,
      papersOf: (name: string, offset: number, limit: number) => Promise<Paper[]>,
      /** What following them stores: the organization's handle, the author's name. */
      followTarget: (summary: Summary) => string,
      render: (summary: Summary, papers: Paper[], page: number, viewer: Viewer, following: boolean) => PageOptions,
    ) =>
    async (c: Context) => {
      const name = c.req.param('name') ?? '';
      const page = parsePage(c.req.query('p'));
      if (page === null) return badRequest(c, 'Invalid page number', 'Page numbers are whole numbers starting at 1.');
      const [summary, papers] = await Promise.all([find(name), papersOf(name, (page - 1) * PAGE_SIZE, PAGE_SIZE)]);
      if (!summary) {
        return notFound(
          c,
          `Paperboy knows no ${kind} named “${name}”.`,
          kind === 'author' ? 'Author not found' : 'Organization not found',
        );
      }
      if (page > 1 && papers.length === 0) return notFound(c, `There is no page ${page} of this list.`);
      const viewer = await viewerFor(
        c,
        store,
        papers.map((p) => p.id),
      );
      return show(
        c,
        render(summary, papers, page, viewer, await viewerFollows(store, viewer, kind, followTarget(summary))),
      );
    };
  app.get(
    '/orgs/:name',
    profile(
      'organization',
      (n) => store.getOrganization(n),
      (n, o, l) => store.papersOfOrganization(n, o, l),
      (s) => s.organization.name,
      organizationPage,
    ),
  );
}

function show(c: Context, options: PageOptions) {
  return c.html(layout(options));
}

function badRequest(c: Context, title: string, message: string) {
  return c.html(renderErrorPage(400, title, message), 400);
}

function notFound(c: Context, message: string, title = 'Page not found') {
  return c.html(renderErrorPage(404, title, message), 404);
}
