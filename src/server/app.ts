/** The web application: pages, JSON API, health and metrics on one Hono app. */
import { Hono } from 'hono';
import { contextStorage } from 'hono/context-storage';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../http/app-context.ts';
import { createResponseCaches } from '../http/response-cache.ts';
import { createMetrics } from './metrics.ts';
import { compression } from '../http/compression.ts';
import { healthCheck } from './health.ts';
import { jsonErrors, wantsJson } from '../http/json-errors.ts';
import { SearchService } from '../search/search-service.ts';
import { registerApi } from '../api/routes.ts';
import { registerWriteApi } from '../api/write-routes.ts';
import { registerMcpRoutes } from '../api/mcp-routes.ts';
import { SubmissionService } from '../community/submissions.ts';
import { arxivLookup } from '../community/arxiv-lookup.ts';
import { registerPages, renderErrorPage } from '../web/routes.ts';
import { authMiddleware } from '../web/auth/auth.ts';
import { readAccess } from '../web/auth/read-access.ts';
import { headerCounts } from '../web/header-counts.ts';
import { registerAuthRoutes } from '../web/auth/auth-routes.ts';
import { registerCommunityRoutes } from '../web/community-routes.ts';
import { registerCommentRoutes } from '../web/comment-routes.ts';
import { registerReportRoutes } from '../web/report-routes.ts';
import { registerNotificationRoutes } from '../web/notification-routes.ts';
import { registerPaperRoutes } from '../web/paper-routes.ts';
import { registerClaimRoutes } from '../web/claim-routes.ts';
import { RateLimiter } from '../community/rate-limits.ts';
import { registerFeeds } from '../web/feed-routes.ts';
import { createMailer } from '../mail/mailer.ts';
import { searchRecommender } from '../recs/member-feed.ts';
import { registerDigestRoutes } from '../web/digest-routes.ts';
import { registerOutboxRoutes } from '../web/outbox-routes.ts';
import { registerCollectionRoutes } from '../web/collection-routes.ts';
import { registerRoleRoutes } from '../web/role-routes.ts';
import { registerInvitationRoutes } from '../web/invitation-routes.ts';
import { readFormBody } from '../web/form-body.ts';
import { sameSecret } from '../community/secrets.ts';
import { securityHeaders } from '../web/security-headers.ts';
import { registerCollectionFeedRoutes } from '../web/collection-feed-routes.ts';
import { registerSaveRoutes } from '../web/save-routes.ts';
import { registerFollowRoutes } from '../web/follow-routes.ts';
import { registerForYouRoutes } from '../web/for-you-routes.ts';
import { registerExportRoutes } from '../web/export-routes.ts';
import { registerAccountRoutes } from '../web/account-routes.ts';
import { registerImageRoutes } from '../web/image-routes.ts';
import { createImageCache } from '../images/image-cache.ts';
import { InstanceIdentityService } from '../instance/identity.ts';
import { identityMiddleware } from '../http/instance-identity.ts';
import { LOGO_UPLOAD_PATH, logoBodyLimit, registerInstanceRoutes } from '../web/instance-routes.ts';

const MAX_BODY_BYTES = 256 * 1024;

/** The context's services; those left out are made here (a lexical search, the configured mailer, a recommender,
 *  an image cache, the response caches). */
export type AppDependencies = Omit<AppContext, 'search' | 'mailer' | 'recommender' | 'images' | 'caches' | 'identity'> &
  Partial<Pick<AppContext, 'search' | 'mailer' | 'recommender' | 'images' | 'caches' | 'identity'>>;

export function createApp(deps: AppDependencies): Hono {
  const search = deps.search ?? new SearchService(deps.store, null);
  const images = deps.images ?? createImageCache(deps);
  const ctx: AppContext = {
    ...deps,
    search,
    mailer: deps.mailer ?? createMailer(deps.config.mail),
    recommender: deps.recommender ?? searchRecommender(deps.store, search),
    images,
    caches: deps.caches ?? createResponseCaches(),
    identity: deps.identity ?? new InstanceIdentityService({ store: deps.store, images, logger: deps.logger }),
  };
  const app = new Hono();
  // Lets the page layout find the signed-in member of the request it renders for (http/viewer.ts).
  app.use(contextStorage());
  // Lets avatars find the instance's copies of their pictures (http/image-paths.ts).
  app.use(async (c, next) => {
    c.set('images', ctx.images);
    await next();
  });
  // Lets the page layout, feeds and emails name the instance as its administrators set it (http/instance-identity.ts).
  app.use(identityMiddleware(ctx.identity));
  const metrics = createMetrics();
  app.use(metrics.middleware);
  // Outside every other middleware: what they produce (JSON errors included) is what gets compressed.
  app.use(compression);
  app.use(securityHeaders);
  app.use(jsonErrors);
  app.use(async (c, next) => {
    await next();
    ctx.logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status }, 'request');
  });
  // Forms are small: a comment is at most 10,000 characters. Larger bodies are refused before anything reads them;
  // the one upload (the instance's logo) has a limit of its own.
  const formLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.text('The request is too large.', 413) });
  app.use((c, next) => (c.req.path === LOGO_UPLOAD_PATH ? logoBodyLimit : formLimit)(c, next));
  app.use(readFormBody);
  // Images are the same for everyone: on a public instance they are served before the session is looked up (a
  // feed page asks for dozens); on a members-only one, after the access check, like everything else.
  const publicImages = ctx.config.access.read === 'public';
  if (publicImages) registerImageRoutes(app, ctx);
  // Who is asking (a session, or a personal access token on /api/ and /mcp), and CSRF checks on every
  // state-changing request of a session (web/auth/auth.ts).
  app.use(authMiddleware(ctx));
  // Who may read: everyone, or members only (PAPERBOY_READ); the one access check of every route.
  app.use(readAccess(ctx));
  // The header's unread notifications and open reports, for the pages of signed-in members.
  app.use(headerCounts(ctx));
  if (!publicImages) registerImageRoutes(app, ctx);
  // The member's own: collections, saving, follows, "for you", their data, their account.
  registerCollectionRoutes(app, ctx);
  registerCollectionFeedRoutes(app, ctx);
  registerSaveRoutes(app, ctx);
  registerFollowRoutes(app, ctx);
  registerForYouRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerAccountRoutes(app, ctx);

  const health = healthCheck(ctx.store, ctx.config);
  app.get('/healthz', async (c) => {
    await ctx.store.latestDay();
    const problems = await health();
    if (problems.length > 0) return c.json({ status: 'degraded', backend: ctx.store.backend, problems }, 503);
    return c.json({ status: 'ok', backend: ctx.store.backend });
  });
  // Route names, counts and latencies are for the operator's scraper: with its token only, a 404 for anyone else.
  app.get('/metrics', async (c) => {
    const token = ctx.config.metricsToken;
    const sent = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (token === null || sent === undefined || !sameSecret(sent, token)) return c.json({ error: 'Not found' }, 404);
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  const limiter = new RateLimiter(ctx.store.community, ctx.config.community.rateLimitFactor);
  // One per process: its arXiv client keeps to arXiv's pace for the pages and the API together.
  const submissions = new SubmissionService({
    store: ctx.store,
    lookup: arxivLookup(ctx.config.ingest, ctx.logger),
    windowDays: ctx.config.community.submitWindowDays,
    limiter,
  });
  registerApi(app, ctx);
  registerWriteApi(app, ctx, limiter, submissions);
  registerMcpRoutes(app, { ...ctx, limiter, publicUrl: ctx.config.publicUrl });
  registerAuthRoutes(app, ctx, limiter);
  // Before the pages: /papers/trending would otherwise be taken for a paper id.
  registerCommunityRoutes(app, ctx, limiter, submissions);
  registerCommentRoutes(app, ctx, limiter);
  registerReportRoutes(app, ctx, limiter);
  registerNotificationRoutes(app, ctx);
  registerPaperRoutes(app, ctx, limiter);
  registerClaimRoutes(app, ctx, limiter);
  registerPages(app, ctx);
  registerFeeds(app, ctx);
  registerDigestRoutes(app, ctx);
  registerOutboxRoutes(app, ctx);
  registerRoleRoutes(app, ctx);
  registerInvitationRoutes(app, ctx);
  registerInstanceRoutes(app, ctx);

  app.notFound((c) =>
    wantsJson(c)
      ? c.json({ error: 'Not found' }, 404)
      : c.html(renderErrorPage(404, 'Page not found', 'There is nothing at this address.'), 404),
  );
  app.onError((error, c) => {
    ctx.logger.error({ err: error, path: c.req.path }, 'request failed');
    return wantsJson(c)
      ? c.json({ error: 'Internal error' }, 500)
      : c.html(renderErrorPage(500, 'Something went wrong', 'The error was logged. Please try again.'), 500);
  });
  return app;
}
