/**
 * Claiming authorship: members claim author entries (on a paper page, or several from an author page);
 * moderators decide at /moderation/claims; administrators tie email domains to organizations at
 * /admin/claim-domains; members switch claimed papers on and off their profile. Author pages tell apart the
 * people behind one name where claims do. Handlers parse, authorize, call community/author-claims.ts, render.
 */
import type { Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { authorPeople, emailDomain, fileClaim, parseDomain, type ClaimOutcome } from '../community/author-claims.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import type { Paper } from '../domain/types.ts';
import { PAGE_SIZE, memberUrl, paperUrl, signInUrl } from '../domain/urls.ts';
import { isModerator, viewerFollows, viewerFor } from '../http/viewer.ts';
import type { Account } from '../store/community-store.ts';
import { layout, type PageOptions } from './layout.ts';
import { parsePage } from './page-number.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { authorPage } from './pages/author-page.ts';
import { claimDomainsPage, claimQueuePage, claimResultsPage, type QueuedClaim } from './pages/claim-pages.ts';
import { adminsOnly, isAdmin } from './role-routes.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const MAX_REASON = 500;
const QUEUE_SIZE = 100;
/** Papers claimed in one go from an author page (a page of them). */
const MAX_CLAIMS_AT_ONCE = PAGE_SIZE;

export function registerClaimRoutes(app: Hono, ctx: AppContext, limiter: RateLimiter): void {
  const { store } = ctx;

  app.get('/authors/:name', async (c) => {
    const name = c.req.param('name');
    const page = parsePage(c.req.query('p'));
    if (page === null) return errorPage(c, 400, 'Invalid page number', 'Page numbers are whole numbers starting at 1.');
    const [summary, people] = await Promise.all([store.getAuthor(name), authorPeople(store, name)]);
    if (!summary) return errorPage(c, 404, 'Author not found', `Paperboy knows no author named “${name}”.`);
    const handle = c.req.query('member');
    const person = handle === undefined ? null : people.verified.find((p) => p.member.name === handle);
    if (person === undefined)
      return errorPage(c, 404, 'Author not found', `No member is verified as an author named “${name}”.`);
    const hf = c.req.query('hf');
    const hfPerson = hf === undefined || person ? null : people.hfUsers.find((p) => p.hfUser === hf);
    if (hfPerson === undefined)
      return errorPage(c, 404, 'Author not found', `No Hugging Face account is tied to an author named “${name}”.`);
    const offset = (page - 1) * PAGE_SIZE;
    // With nobody told apart the page is what it always was; otherwise one person's papers, or the unclaimed ones.
    const grouped = people.verified.length > 0 || people.hfUsers.length > 0;
    const listed = person?.paperIds ?? hfPerson?.paperIds ?? (grouped ? people.unclaimed : null);
    const papers = listed
      ? await store.getPapers(listed.slice(offset, offset + PAGE_SIZE))
      : await store.papersOfAuthor(name, offset, PAGE_SIZE);
    if (page > 1 && papers.length === 0)
      return errorPage(c, 404, 'Page not found', `There is no page ${page} of this list.`);
    const toldApart = [...people.verified, ...people.hfUsers].flatMap((p) => p.paperIds);
    const upvotes = new Map((await store.getPapers(toldApart)).map((p) => [p.id, p.upvotes]));
    const sum = (ids: string[]) => ids.reduce((total, id) => total + (upvotes.get(id) ?? 0), 0);
    const chosen = person?.paperIds ?? hfPerson?.paperIds;
    const totals = chosen
      ? { papers: chosen.length, upvotes: sum(chosen) }
      : listed
        ? { papers: listed.length, upvotes: summary.upvotes - sum(toldApart) }
        : summary;
    const viewer = await viewerFor(
      c,
      store,
      papers.map((p) => p.id),
    );
    // Entries the imported records tie to a Hugging Face account may still be claimed here (by that person).
    const open = [...people.unclaimed, ...people.hfUsers.flatMap((p) => p.paperIds)];
    const claimable = person || !viewer.account ? [] : await claimableBy(viewer.account, name, papers, open);
    return page200(
      c,
      authorPage({
        name,
        totals,
        papers,
        page,
        viewer,
        following: await viewerFollows(store, viewer, 'author', name),
        people: people.verified.map((p) => ({ member: p.member, papers: p.paperIds.length })),
        hfPeople: people.hfUsers.map((p) => ({ hfUser: p.hfUser, papers: p.paperIds.length })),
        unclaimed: people.unclaimed.length,
        member: person?.member ?? null,
        hfUser: hfPerson?.hfUser ?? null,
        claimable,
      }),
    );
  });

  /** Of the papers on an author page, those the member may claim: nobody claimed the name there, nor they the paper. */
  const claimableBy = async (account: Account, name: string, papers: Paper[], unclaimed: string[]) => {
    const open = new Set(unclaimed);
    const mine = new Set(
      (await store.claims.claimsOf(account.id)).filter((k) => k.status !== 'rejected').map((k) => k.paperId),
    );
    return papers.filter((p) => open.has(p.id) && !mine.has(p.id) && p.authors.some((a) => a.name === name));
  };

  app.post(`/papers/${PAPER_ID_PARAM}/claims`, async (c) => {
    const id = normalizeArxivId(c.req.param('id'));
    if (!id) return errorPage(c, 404, 'Not found', 'There is no such paper.');
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl(paperUrl(id)), 303);
    const form = await c.req.parseBody();
    const position =
      typeof form.position === 'string' && /^\d{1,4}$/.test(form.position) ? Number(form.position) : null;
    if (position === null) return errorPage(c, 400, 'Choose an author', 'Choose which of the paper’s authors you are.');
    const outcome = await fileClaim(store, limiter, id, position, account, c.get('auth').address);
    if (outcome.status === 'refused') return refusedClaim(c, outcome);
    logClaim(ctx, account, outcome);
    return c.redirect(`${paperUrl(id)}#authors`, 303);
  });

  app.post('/authors/:name/claims', async (c) => {
    const name = c.req.param('name');
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl(`/authors/${encodeURIComponent(name)}`), 303);
    const form = await c.req.parseBody({ all: true });
    const ids = [form.paper].flat().filter((v): v is string => typeof v === 'string');
    const wanted = [...new Set(ids.map((v) => normalizeArxivId(v)).filter((v): v is string => v !== null))];
    if (wanted.length === 0)
      return errorPage(c, 400, 'Choose your papers', 'Tick the papers of which you are an author.');
    if (wanted.length > MAX_CLAIMS_AT_ONCE)
      return errorPage(c, 400, 'Too many at once', `Claim at most ${MAX_CLAIMS_AT_ONCE} papers at a time.`);
    const papers = await store.getPapers(wanted);
    const results: { paper: Paper; outcome: ClaimOutcome }[] = [];
    // One at a time: each claim counts against the rate limit and may be approved at once by its own organization.
    for (const paper of papers) {
      const position = paper.authors.findIndex((a) => a.name === name);
      const outcome =
        position < 0
          ? ({ status: 'refused', httpStatus: 400, message: `${name} is not an author of this paper.` } as const)
          : await fileClaim(store, limiter, paper.id, position, account, c.get('auth').address);
      if (outcome.status !== 'refused') logClaim(ctx, account, outcome);
      results.push({ paper, outcome });
    }
    return page200(c, claimResultsPage(await viewerFor(c, store, []), name, results));
  });

  const moderator = (c: Context): Account | null => {
    const account = c.get('auth').account;
    return isModerator(account) ? account : null;
  };
  const queue = async (c: Context, error?: string, status: 200 | 403 | 409 = 200) => {
    const pending = await store.claims.pendingClaims(QUEUE_SIZE);
    const [papers, accounts] = await Promise.all([
      store.getPapers([...new Set(pending.map((k) => k.paperId))]),
      Promise.all(pending.map((k) => store.community.getAccount(k.member.id))),
    ]);
    const byId = new Map(papers.map((p) => [p.id, p]));
    const entryKey = (k: { paperId: string; position: number }) => `${k.paperId}#${k.position}`;
    const perEntry = new Map<string, number>();
    for (const k of pending) perEntry.set(entryKey(k), (perEntry.get(entryKey(k)) ?? 0) + 1);
    const items: QueuedClaim[] = pending.map((claim, i) => ({
      claim,
      paper: byId.get(claim.paperId),
      domain: emailDomain(accounts[i]?.email ?? null),
      rivals: (perEntry.get(entryKey(claim)) ?? 1) - 1,
    }));
    c.header('Cache-Control', 'no-store');
    return c.html(layout(claimQueuePage(await viewerFor(c, store, []), items, error)), status);
  };
  app.get('/moderation/claims', async (c) => (moderator(c) ? queue(c) : moderatorsOnly(c)));
  app.post('/moderation/claims/:claim{[0-9]{1,15}}', async (c) => {
    const mod = moderator(c);
    if (!mod) return moderatorsOnly(c);
    const form = await c.req.parseBody();
    const decision = form.decision === 'approve' ? 'approve' : form.decision === 'reject' ? 'reject' : null;
    const typed = typeof form.reason === 'string' ? form.reason.trim().slice(0, MAX_REASON) : '';
    if (decision === null) return queue(c, 'Choose Approve or Reject.', 409);
    if (decision === 'reject' && typed === '')
      return queue(c, 'Say why the claim is rejected: the member sees it.', 409);
    const claim = await store.claims.getClaim(Number(c.req.param('claim')));
    if (!claim) return queue(c, 'There is no such claim.', 409);
    if (claim.member.id === mod.id) return queue(c, 'Another moderator decides your own claims.', 403);
    const reason = typed || 'approved by a moderator';
    const result = await store.claims.decideClaim(claim.id, mod.id, decision, reason, new Date());
    if (result === 'not-pending') return queue(c, 'That claim was decided already.', 409);
    if (result === 'taken')
      return queue(
        c,
        `Another member is already the verified ${claim.authorName} of that paper: reject this claim.`,
        409,
      );
    ctx.logger.warn({ moderator: mod.name, claim: claim.id, decision, reason }, 'author claim decided');
    return c.redirect('/moderation/claims', 303);
  });

  app.post('/moderation/claims/revoke', async (c) => {
    const mod = moderator(c);
    if (!mod) return moderatorsOnly(c);
    const form = await c.req.parseBody();
    const paperId = normalizeArxivId(typeof form.paper === 'string' ? form.paper : '');
    const reason = typeof form.reason === 'string' ? form.reason.trim().slice(0, MAX_REASON) : '';
    if (!paperId) return errorPage(c, 404, 'Not found', 'There is no such paper.');
    if (reason === '') return errorPage(c, 400, 'A reason is needed', 'Every moderation action records why.');
    const claim = (await store.claims.claimsOnPaper(paperId)).find(
      (k) => k.status === 'approved' && String(k.position) === form.position,
    );
    if (!claim || !(await store.claims.revokeClaim(claim.id, mod.id, reason, new Date())))
      return errorPage(c, 404, 'Nothing to do', 'That author has no verified member (any more).');
    ctx.logger.warn({ moderator: mod.name, claim: claim.id, reason }, 'author claim revoked');
    return c.redirect(`${paperUrl(paperId)}#authors`, 303);
  });

  const domainsPage = async (
    c: Context,
    options: { error?: string; organization?: string; domain?: string } = {},
    status: 200 | 400 | 404 | 409 = 200,
  ) => {
    c.header('Cache-Control', 'no-store');
    return c.html(
      layout(claimDomainsPage(await viewerFor(c, store, []), await store.claims.domainTies(), options)),
      status,
    );
  };
  app.get('/admin/claim-domains', (c) => (isAdmin(c) ? domainsPage(c) : adminsOnly(c)));
  app.post('/admin/claim-domains', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const organization = typeof form.organization === 'string' ? form.organization.trim().slice(0, 100) : '';
    const typed = typeof form.domain === 'string' ? form.domain.slice(0, 300) : '';
    const domain = parseDomain(typed);
    const echo = { organization, domain: typed.trim() };
    if (!domain)
      return domainsPage(c, { ...echo, error: `“${typed.trim()}” is not an email domain (like lab.example).` }, 400);
    if (!(await store.getOrganization(organization)))
      return domainsPage(c, { ...echo, error: `There is no organization with the handle “${organization}”.` }, 404);
    if (!(await store.claims.tieDomain(organization, domain, admin.id, new Date())))
      return domainsPage(c, { ...echo, error: `@${domain} is tied to ${organization} already.` }, 409);
    ctx.logger.warn({ admin: admin.name, organization, domain }, 'email domain tied to organization');
    return c.redirect('/admin/claim-domains', 303);
  });
  app.post('/admin/claim-domains/remove', async (c) => {
    const admin = c.get('auth').account;
    if (!admin || !isAdmin(c)) return adminsOnly(c);
    const form = await c.req.parseBody();
    const organization = typeof form.organization === 'string' ? form.organization : '';
    const domain = typeof form.domain === 'string' ? form.domain : '';
    if (!(await store.claims.untieDomain(organization, domain, admin.id, new Date())))
      return domainsPage(c, { error: `@${domain} was not tied to ${organization}.` }, 404);
    ctx.logger.warn({ admin: admin.name, organization, domain }, 'email domain untied from organization');
    return c.redirect('/admin/claim-domains', 303);
  });

  app.post('/claims/:claim{[0-9]{1,15}}/withdraw', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/'), 303);
    if (!(await store.claims.withdrawClaim(Number(c.req.param('claim')), account.id)))
      return errorPage(c, 404, 'Not found', 'You have no such claim, or it was rejected.');
    return c.redirect(`${memberUrl(account.name)}#claims-heading`, 303);
  });

  app.post('/claims/:claim{[0-9]{1,15}}/profile', async (c) => {
    const account = c.get('auth').account;
    if (!account) return c.redirect(signInUrl('/'), 303);
    const form = await c.req.parseBody();
    const show = form.show === '1';
    if (!(await store.claims.setShowOnProfile(Number(c.req.param('claim')), account.id, show)))
      return errorPage(c, 404, 'Not found', 'You have no such claim.');
    return c.redirect(`${memberUrl(account.name)}#claims-heading`, 303);
  });
}

function logClaim(ctx: AppContext, account: Account, outcome: Exclude<ClaimOutcome, { status: 'refused' }>): void {
  const { claim } = outcome;
  ctx.logger.info(
    { member: account.name, paper: claim.paperId, position: claim.position, status: outcome.status },
    'author claim filed',
  );
}

function refusedClaim(c: Context, outcome: Extract<ClaimOutcome, { status: 'refused' }>) {
  const titles = { 400: 'Choose an author', 404: 'Not found', 409: 'Cannot claim', 429: 'Slow down' } as const;
  return c.html(renderErrorPage(outcome.httpStatus, titles[outcome.httpStatus], outcome.message), outcome.httpStatus);
}

function page200(c: Context, options: PageOptions) {
  c.header('Cache-Control', 'no-store');
  return c.html(layout(options));
}

function errorPage(c: Context, status: 400 | 403 | 404, title: string, message: string) {
  return c.html(renderErrorPage(status, title, message), status);
}

function moderatorsOnly(c: Context) {
  return c.html(renderErrorPage(403, 'Moderators only', 'This page is for the moderators of this instance.'), 403);
}
