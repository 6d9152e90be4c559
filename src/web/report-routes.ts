/**
 * Reports: members report a comment (POST /comments/N/report) or a paper (POST /papers/ID/report) with a reason;
 * moderators see the queue (/moderation/reports) and resolve an item (POST /moderation/reports/resolve). The
 * rules (reach, once per member, rate limit) are in community/reports.ts.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../http/app-context.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { fileReport, resolveReports } from '../community/reports.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import { paperUrl } from '../domain/urls.ts';
import { isModerator, viewerFor } from '../http/viewer.ts';
import type { ReportTarget } from '../store/report-store.ts';
import { doneNotice, memberPage, signedIn, toSignIn } from './member-handlers.ts';
import { renderErrorPage } from './pages/error-page.ts';
import { reportAnswerPage, reportQueuePage } from './pages/report-pages.ts';
import { layout } from './layout.ts';

const PAPER_ID_PARAM = ':id{[^/]+(?:/[^/]+)?}';
const COMMENT_ID_PARAM = ':id{[0-9]{1,15}}';
const QUEUE_SIZE = 100;
const NOTICES = {
  hide: 'Hidden, and logged.',
  warn: 'Warning sent, and logged.',
  dismiss: 'Reports dismissed, and logged.',
};

const resolveForm = z.object({
  kind: z.enum(['comment', 'paper']),
  id: z.string().min(1).max(64),
  decision: z.enum(['hide', 'warn', 'dismiss']),
  reason: z.string().trim().max(500),
});

export function registerReportRoutes(app: Hono, ctx: AppContext, limiter: RateLimiter): void {
  const { store } = ctx;

  const report = async (c: Context, target: ReportTarget, back: string) => {
    const account = signedIn(c);
    if (!account) return toSignIn(c, back);
    const body = await c.req.parseBody();
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const result = await fileReport(store, limiter, account, c.get('auth').address, target, reason);
    const viewer = await viewerFor(c, store, []);
    c.header('Cache-Control', 'no-store');
    if (!result.ok) {
      if (result.retryAfter !== undefined) c.header('Retry-After', String(result.retryAfter));
      return c.html(
        layout(reportAnswerPage(viewer, back, { title: 'Report not sent', message: result.message, ok: false })),
        result.status,
      );
    }
    if (result.status === 'already')
      return c.html(
        layout(
          reportAnswerPage(viewer, back, {
            title: 'Reported already',
            message: `You reported this ${target.kind} before: the moderators have your report. A member reports each thing once.`,
            ok: false,
          }),
        ),
        409,
      );
    ctx.logger.info({ reporter: account.name, target }, 'report filed');
    return c.html(
      layout(
        reportAnswerPage(viewer, back, {
          title: 'Thank you',
          message: `The moderators will look at this ${target.kind}. Nobody else sees that you reported it.`,
          ok: true,
        }),
      ),
    );
  };

  app.post(`/comments/${COMMENT_ID_PARAM}/report`, async (c) => {
    const id = c.req.param('id');
    const comment = await store.community.getComment(Number(id));
    return report(c, { kind: 'comment', id }, comment ? `${paperUrl(comment.paperId)}#comment-${id}` : '/');
  });

  app.post(`/papers/${PAPER_ID_PARAM}/report`, async (c) => {
    const text = c.req.param('id');
    const id = normalizeArxivId(text);
    if (!id) return c.html(renderErrorPage(404, 'Paper not found', 'There is no such paper to report.'), 404);
    return report(c, { kind: 'paper', id }, paperUrl(id));
  });

  /** The signed-in moderator, or the answer for anyone else: sign in first; members are refused. */
  const moderatorOr = (c: Context) => {
    const account = signedIn(c);
    if (!account) return { refused: toSignIn(c, '/moderation/reports') };
    if (!isModerator(account))
      return {
        refused: c.html(
          renderErrorPage(403, 'Moderators only', 'This page is for the moderators of this instance.'),
          403,
        ),
      };
    return { moderator: account };
  };

  app.get('/moderation/reports', async (c) => {
    const { moderator, refused } = moderatorOr(c);
    if (!moderator) return refused;
    const [cases, total] = await Promise.all([store.reports.openCases(QUEUE_SIZE), store.reports.openCount()]);
    return memberPage(
      c,
      reportQueuePage(await viewerFor(c, store, []), moderator, cases, total, doneNotice(c, NOTICES)),
    );
  });

  app.post('/moderation/reports/resolve', async (c) => {
    const { moderator, refused } = moderatorOr(c);
    if (!moderator) return refused;
    const form = resolveForm.safeParse(await c.req.parseBody());
    if (!form.success)
      return c.html(renderErrorPage(400, 'Invalid decision', 'Choose hide, warn or dismiss for a reported item.'), 400);
    const { kind, id, decision, reason } = form.data;
    const result = await resolveReports(store, moderator, { kind, id }, decision, reason);
    if (!result.ok) return c.html(renderErrorPage(result.status, 'Not done', result.message), result.status);
    ctx.logger.warn(
      { moderator: moderator.name, target: { kind, id }, decision, reason },
      'moderation: reports resolved',
    );
    return c.redirect(`/moderation/reports?done=${decision}`, 303);
  });
}
