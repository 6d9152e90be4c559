/** Upvotes, submissions, trending, member profiles and moderation. Handlers parse, authorize, call, render. */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { trendingWindow } from '../domain/trending.ts';
import type { Account } from '../store/community-store.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { outranks } from '../community/roles.ts';
import type { SubmissionService } from '../community/submissions.ts';
import { votePaper } from '../community/member-actions.ts';
import { hidePaper } from '../community/moderation.ts';
import { html } from 'hono/html';
import { authoredSection, ownClaimsSection } from './components/authorship.ts';
import { cardGrid } from './components/paper-card.ts';
import { layout, type PageOptions } from './layout.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { sharedPage } from './shared-page.ts';
import { formatCount } from '../domain/format.ts';
import { memberUrl, paperUrl, signInUrl, submitUrl } from '../domain/urls.ts';
import { isModerator, safeReturnPath, viewerFor } from '../http/viewer.ts';
import {
  aboutTrendingPage,
  memberPage,
  moderationPage,
  submitPage,
  submittedPage,
  trendingPage,
} from './pages/community-pages.ts';

/** An arXiv id, new style or old style with its one slash. */
export const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const PROFILE_LIST = 24;
const TRENDING_SIZE = 50;
const MAX_REASON = 500;

export function registerCommunityRoutes(
  app: Hono,
  ctx: AppContext,
  limiter: RateLimiter,
  submissions: SubmissionService,
): void {
  const { store } = ctx;

  app.post(`/papers/${PAPER_ID_PARAM}/upvote`, async (c) => {
    const account = c.get('auth').account;
    const wantsJson = (c.req.header('accept') ?? '').includes('application/json');
    const form = await c.req.parseBody();
    if (!account)
      return wantsJson
        ? c.json({ error: 'Sign in to upvote.' }, 401)
        : c.redirect(signInUrl(safeReturnPath(form.return)), 303);
    const result = await votePaper(store, limiter, account, c.req.param('id'), null, c.get('auth').address);
    if (!result.ok) {
      if (result.retryAfter !== undefined) c.header('Retry-After', String(result.retryAfter));
      return refuse(c, wantsJson, result.status === 429 ? 429 : 404, result.error);
    }
    const { voted, upvotes } = result;
    if (wantsJson) return c.json({ voted, upvotes, upvotesText: formatCount(upvotes) });
    return c.redirect(safeReturnPath(form.return, paperUrl(result.paperId)), 303);
  });

  // ?id= fills the form in (a link from a paper Paperboy lacks); nothing is submitted until the member posts it.
  app.get('/submit', async (c) => {
    // ?id= fills the form in (the "not here" pages link to it); anything that is not an arXiv id is ignored.
    const id = normalizeArxivId(c.req.query('id')?.trim().slice(0, 100) ?? '');
    const here = submitUrl(id ?? undefined);
    if (!c.get('auth').account) return c.redirect(signInUrl(here), 303);
    return page(
      c,
      submitPage(await viewerFor(c, store, []), {
        value: id ?? undefined,
        windowDays: ctx.config.community.submitWindowDays,
      }),
    );
  });
  app.post('/submit', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/submit'), 303);
    const form = await c.req.parseBody();
    const input = typeof form.paper === 'string' ? form.paper : '';
    const outcome = await submissions.submit(input, account, c.get('auth').address);
    const viewer = await viewerFor(c, store, []);
    if (outcome.status === 'refused') {
      const options = {
        value: input.slice(0, 500),
        error: outcome.message,
        windowDays: ctx.config.community.submitWindowDays,
      };
      return page(c, submitPage(viewer, options), outcome.httpStatus);
    }
    ctx.logger.info({ member: account.name, paper: outcome.paperId, status: outcome.status }, 'paper submitted');
    const paper = await store.getPaper(outcome.paperId);
    if (!paper)
      return page(
        c,
        submitPage(viewer, {
          value: input,
          error: 'This paper was removed by the moderators.',
          windowDays: ctx.config.community.submitWindowDays,
        }),
        422,
      );
    return page(c, submittedPage(viewer, paper, outcome.day, outcome.status === 'added'));
  });

  // Scores move with the clock as well as with votes: the signed-out page is shared for a minute at most
  // (http/response-cache.ts), and a vote or comment (a new data version) makes a fresh one at once.
  app.get('/papers/trending', (c) =>
    sharedPage(
      c,
      ctx.caches.trending,
      () => store.dataVersion(),
      async () => {
        const latest = await store.latestDay();
        const range = latest ? trendingWindow(latest) : null;
        const entries = range
          ? await store.listDaily({ ...range, sort: 'trending', offset: 0, limit: TRENDING_SIZE })
          : [];
        const viewer = c.get('auth').account
          ? await viewerFor(
              c,
              store,
              entries.map((e) => e.paper.id),
            )
          : undefined;
        return trendingPage(entries, range, viewer);
      },
    ),
  );
  app.get('/about/trending', (c) => page(c, aboutTrendingPage()));

  app.get('/members/:name', async (c) => {
    const account = await store.community.getAccountByName(c.req.param('name'));
    if (!account) return c.html(renderErrorPage(404, 'Member not found', 'There is no member with that handle.'), 404);
    // Private upvotes are not read at all, for anyone (the member finds them in their data download).
    const [submittedIds, upvotedIds, comments, claims] = await Promise.all([
      store.community.submittedBy(account.id, PROFILE_LIST),
      account.upvotesPublic ? store.community.upvotedBy(account.id, PROFILE_LIST) : null,
      store.community.commentsBy(account.id, PROFILE_LIST),
      store.claims.claimsOf(account.id),
    ]);
    const own = c.get('auth').account?.id === account.id;
    // Others see the papers the member verified and shows; the member sees every claim, with its switch.
    const authoredIds = claims.filter((k) => k.status === 'approved' && k.showOnProfile).map((k) => k.paperId);
    const [submitted, upvoted, commented, authored, claimed] = await Promise.all([
      store.getPapers(submittedIds),
      upvotedIds ? store.getPapers(upvotedIds) : null,
      store.getPapers([...new Set(comments.map((k) => k.paperId))]),
      store.getPapers(authoredIds),
      own ? store.getPapers(claims.map((k) => k.paperId)) : [],
    ]);
    const viewer = await viewerFor(c, store, [...submittedIds, ...(upvotedIds ?? []), ...authoredIds]);
    const titles = new Map(commented.map((p) => [p.id, p]));
    return page(
      c,
      memberPage({
        account,
        submitted,
        upvoted,
        viewer,
        canModerate: isModerator(viewer.account) && outranks(viewer.account, account),
        comments: comments.map((comment) => ({ comment, paper: titles.get(comment.paperId) })),
        authorship: html`${authoredSection(authored, (papers) => cardGrid(papers, { viewer }), own)}${
          own ? ownClaimsSection(claims, new Map(claimed.map((p) => [p.id, p.title])), viewer) : ''
        }`,
      }),
    );
  });

  // Moderation: moderators and admins only; every action has a reason and lands in the log.
  const moderator = (c: Context): Account | null => {
    const account = c.get('auth').account;
    return isModerator(account) ? account : null;
  };
  app.get('/moderation', async (c) => {
    if (!moderator(c)) return forbidden(c);
    const [hidden, log] = await Promise.all([store.community.hiddenPapers(), store.community.moderationLog(100)]);
    return page(c, moderationPage(await viewerFor(c, store, []), hidden, log));
  });
  const moderate =
    (
      action: (target: string, mod: Account, reason: string) => Promise<boolean | 'outranked'>,
      back: (target: string) => string,
    ) =>
    async (c: Context) => {
      const mod = moderator(c);
      if (!mod) return forbidden(c);
      const form = await c.req.parseBody();
      const reason = typeof form.reason === 'string' ? form.reason.trim().slice(0, MAX_REASON) : '';
      if (reason === '')
        return c.html(renderErrorPage(400, 'A reason is needed', 'Every moderation action records why.'), 400);
      const target = c.req.param('id') ?? c.req.param('name') ?? '';
      const done = await action(target, mod, reason);
      if (done === 'outranked')
        return c.html(
          renderErrorPage(
            403,
            'Not yours to moderate',
            'Moderators and administrators are moderated by those above them only.',
          ),
          403,
        );
      if (!done)
        return c.html(renderErrorPage(404, 'Nothing to do', 'It does not exist, or it was done already.'), 404);
      ctx.logger.warn({ moderator: mod.name, path: c.req.path, reason }, 'moderation');
      return c.redirect(back(target), 303);
    };
  const paperAction = (hide: boolean) => async (id: string, mod: Account, reason: string) => {
    const paperId = normalizeArxivId(id);
    if (!paperId) return false;
    return hide
      ? hidePaper(store, mod, paperId, reason)
      : store.community.unhidePaper(paperId, mod.id, reason, new Date());
  };
  const memberAction = (ban: boolean) => async (name: string, mod: Account, reason: string) => {
    const member = await store.community.getAccountByName(name);
    if (!member) return false;
    if (!outranks(mod, member)) return 'outranked';
    return ban
      ? store.community.banMember(member.id, mod.id, reason, new Date())
      : store.community.unbanMember(member.id, mod.id, reason, new Date());
  };
  app.post(
    `/papers/${PAPER_ID_PARAM}/hide`,
    moderate(paperAction(true), () => '/moderation'),
  );
  app.post(
    `/papers/${PAPER_ID_PARAM}/unhide`,
    moderate(paperAction(false), (id) => paperUrl(normalizeArxivId(id) ?? id)),
  );
  app.post(
    '/members/:name/ban',
    moderate(memberAction(true), (name) => memberUrl(name)),
  );
  app.post(
    '/members/:name/unban',
    moderate(memberAction(false), (name) => memberUrl(name)),
  );
}

function page(c: Context, options: PageOptions, status: 200 | 400 | 404 | 422 | 429 | 502 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options), status);
}

function forbidden(c: Context) {
  return c.html(renderErrorPage(403, 'Moderators only', 'This page is for the moderators of this instance.'), 403);
}

function refuse(c: Context, json: boolean, status: 404 | 429, message: string) {
  return json
    ? c.json({ error: message }, status)
    : c.html(renderErrorPage(status, status === 404 ? 'Not found' : 'Slow down', message), status);
}
