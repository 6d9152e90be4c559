/**
 * The Model Context Protocol tools of an instance: one set, served over stdio (`paperboy mcp`) and Streamable
 * HTTP (/mcp). Reading tools are for everyone who may read the instance; a member's token adds their own
 * (collections, "for you"), and a token with the write scope adds what changes things (save, upvote, a paper's
 * links). A tool
 * that is not the caller's is not registered at all, so tools/list shows exactly what the caller may call.
 *
 * Every tool goes through the services the pages use: search, the store's visible papers (hidden ones are
 * absent everywhere), the recommender, and the member actions with their rate limits. Results are text an
 * assistant reads plus structured content (described by each tool's output schema); a bad argument or a refusal
 * is a tool error with a message, never a protocol failure.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import type { TokenScope } from '../store/token-store.ts';
import { COLLECTION_NAME_MAX } from '../store/collection-store.ts';
import type { SearchService } from '../search/search-service.ts';
import { parseSearchParams } from '../search/search-params.ts';
import { similarPapers } from '../search/similar.ts';
import type { Recommender } from '../recs/recommender.ts';
import { recommendFor } from '../recs/member-feed.ts';
import type { RateLimiter } from '../community/rate-limits.ts';
import { savePaper, votePaper, type SaveTarget } from '../community/member-actions.ts';
import { mayWrite } from '../community/api-tokens.ts';
import { PaperLinksService } from '../community/paper-links.ts';
import { findArxivId } from '../domain/arxiv-id.ts';
import { parsePeriod, type Period } from '../domain/periods.ts';
import { trendingWindow } from '../domain/trending.ts';
import { paperMarkdown } from '../domain/paper-markdown.ts';
import { paperListText, paperRecord, toPaperRecord } from './paper-text.ts';

/** What the tools work with: the services of the process. */
export interface McpServices {
  store: Store;
  search: SearchService;
  recommender: Recommender;
  limiter: RateLimiter;
  /** Base of the links in results. */
  publicUrl: string;
  logger: Logger;
}

/** Who calls: a member by a token (with its scope), or nobody. */
export interface McpCaller {
  account: Account | null;
  scope: TokenScope | null;
  /** The client's address, for rate limits ("stdio" for the local command). */
  address: string;
  /**
   * For a long-lived connection (stdio): the member as the token finds them now, asked before each member tool
   * runs, so that a token revoked (or a member banned) meanwhile stops at once. Null: no longer valid.
   */
  recheck?: (() => Promise<Account | null>) | undefined;
}

export const READ_TOOLS = [
  'search_papers',
  'get_paper',
  'read_paper',
  'daily_papers',
  'trending',
  'similar_papers',
] as const;
export const MEMBER_READ_TOOLS = ['list_collections', 'for_you'] as const;
export const MEMBER_WRITE_TOOLS = ['save_to_collection', 'upvote', 'edit_paper_links'] as const;

const paperId = z.string().min(1).max(500).describe('An arXiv id such as 2405.12345, or an arXiv link');
const limit = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).default(fallback).describe(`How many papers, 1 to ${max}`);
const paperList = { papers: z.array(paperRecord) };
const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The arXiv id in what an assistant passed: an id, arXiv:id, or an arXiv link. */
const idOf = (input: string) => findArxivId(input.slice(0, 500));

const notFound = (input: string) =>
  toolError(`No paper ${input.slice(0, 100)} here: the id is unknown to this instance, or the paper was removed.`);

export function registerTools(server: McpServer, services: McpServices, caller: McpCaller): void {
  const { store, search, publicUrl } = services;
  const record = (paper: Parameters<typeof toPaperRecord>[0]) => toPaperRecord(paper, publicUrl);
  const findPaper = async (input: string) => {
    const id = idOf(input);
    return id ? store.getPaper(id) : null;
  };

  server.registerTool(
    'search_papers',
    {
      title: 'Search papers',
      description:
        'Hybrid keyword and semantic search over the papers of this instance. Quotes hold a phrase, -word excludes. Returns the total number of matching papers and one page of results.',
      inputSchema: {
        query: z.string().min(1).max(1000).describe('What to look for'),
        limit: limit(50, 10),
        page: z.number().int().min(0).max(1000).default(0).describe('Page of results, from 0'),
        from: z.string().optional().describe('Published on or after this day, YYYY-MM-DD'),
        to: z.string().optional().describe('Published on or before this day, YYYY-MM-DD'),
        organization: z.string().max(100).optional().describe('Only papers of this organization'),
        category: z.string().optional().describe('Only papers of this arXiv category, e.g. cs.CL'),
        has_code: z.boolean().optional().describe('Only papers with a code repository'),
        sort: z.enum(['relevance', 'date', 'upvotes']).default('relevance'),
      },
      outputSchema: {
        query: z.string(),
        total: z.number().int().describe('Papers matching the query, on every page'),
        mode: z.enum(['hybrid', 'lexical', 'vector']),
        notice: z.string().nullable(),
        ...paperList,
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const parsed = parseSearchParams(
        {
          q: args.query,
          limit: String(args.limit),
          p: String(args.page),
          sort: args.sort,
          ...(args.from !== undefined && { from: args.from }),
          ...(args.to !== undefined && { to: args.to }),
          ...(args.organization !== undefined && { org: args.organization }),
          ...(args.category !== undefined && { category: args.category }),
          ...(args.has_code === true && { has_code: '1' }),
        },
        { maxQueryLength: 1000, maxLimit: 50, defaultLimit: 10 },
      );
      if (!parsed.ok) return toolError(parsed.error);
      const response = await search.search(parsed.request);
      const papers = response.results.map((r) => record(r.paper));
      const first = parsed.request.offset + 1;
      const heading =
        papers.length === 0
          ? `No papers match “${args.query}” (${response.total} in all).${response.suggestion ? ` Did you mean “${response.suggestion}”?` : ''}`
          : `${response.total} papers match “${args.query}”; results ${first}–${first + papers.length - 1}:`;
      return ok(paperListText(response.notice ? `${heading}\n${response.notice}` : heading, papers), {
        query: args.query,
        total: response.total,
        mode: response.mode,
        notice: response.notice,
        papers,
      });
    },
  );

  server.registerTool(
    'get_paper',
    {
      title: 'Get a paper',
      description:
        "A paper's metadata: title, authors, abstract, organization, links (arXiv, PDF, code, project page), upvotes and comments, and the days it was on the daily feed.",
      inputSchema: { id: paperId },
      outputSchema: {
        ...paperRecord.shape,
        abstract: z.string(),
        pdf: z.string(),
        code: z.string().nullable(),
        githubStars: z.number().int().nullable(),
        projectPage: z.string().nullable(),
        categories: z.array(z.string()),
        keywords: z.array(z.string()),
        withdrawn: z.boolean(),
        featuredDays: z.array(z.string()),
      },
      annotations: READ_ONLY,
    },
    async ({ id }) => {
      const paper = await findPaper(id);
      if (!paper) return notFound(id);
      const featuredDays = await store.featuredDays(paper.id);
      const structured = {
        ...record(paper),
        abstract: paper.summary,
        pdf: `https://arxiv.org/pdf/${paper.id}`,
        code: paper.githubRepo,
        githubStars: paper.githubStars,
        projectPage: paper.projectPage,
        categories: paper.categories,
        keywords: paper.aiKeywords,
        withdrawn: paper.withdrawn,
        featuredDays,
      };
      const text = [
        paperListText(`arXiv:${paper.id}`, [structured]).split('\n\n')[1],
        '',
        paper.summary.trim(),
        '',
        `PDF: ${structured.pdf}`,
        ...(paper.githubRepo ? [`Code: ${paper.githubRepo}`] : []),
        ...(paper.projectPage ? [`Project page: ${paper.projectPage}`] : []),
        ...(featuredDays.length > 0 ? [`On the daily feed: ${featuredDays.join(', ')}`] : []),
        ...(paper.withdrawn ? ['This paper has been withdrawn.'] : []),
      ].join('\n');
      return ok(text, structured);
    },
  );

  server.registerTool(
    'read_paper',
    {
      title: 'Read a paper',
      description:
        'The paper as Markdown: title, authors, abstract, AI summary and keywords, links (as /papers/{id}.md).',
      inputSchema: { id: paperId },
      outputSchema: { id: z.string(), markdown: z.string() },
      annotations: READ_ONLY,
    },
    async ({ id }) => {
      const paper = await findPaper(id);
      if (!paper) return notFound(id);
      const markdown = paperMarkdown(paper, publicUrl);
      return ok(markdown, { id: paper.id, markdown });
    },
  );

  server.registerTool(
    'daily_papers',
    {
      title: 'Daily papers',
      description:
        'The papers the community put on the feed of a day, an ISO week or a month (give at most one; none: the latest day), most upvoted first unless sorted otherwise.',
      inputSchema: {
        date: z.string().optional().describe('A day, YYYY-MM-DD'),
        week: z.string().optional().describe('An ISO week, YYYY-Www'),
        month: z.string().optional().describe('A month, YYYY-MM'),
        sort: z.enum(['upvotes', 'trending', 'publishedAt']).default('upvotes'),
        limit: limit(100, 20),
        page: z.number().int().min(0).max(10_000).default(0).describe('Page, from 0'),
      },
      outputSchema: {
        period: z.string().nullable().describe('The period shown; null when there are no papers at all'),
        total: z.number().int(),
        ...paperList,
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const given = (['date', 'week', 'month'] as const).filter((k) => args[k] !== undefined);
      if (given.length > 1) return toolError('Give at most one of date, week and month.');
      let period: Period | null;
      if (given.length === 1) {
        const key = given[0]!;
        period = parsePeriod(key === 'date' ? 'day' : key, args[key]!);
        if (!period)
          return toolError(`${key} must be a real ${{ date: 'YYYY-MM-DD', week: 'YYYY-Www', month: 'YYYY-MM' }[key]}.`);
      } else {
        const latest = await store.latestDay();
        period = latest ? parsePeriod('day', latest) : null;
      }
      if (!period) return ok('There are no papers on the feed yet.', { period: null, total: 0, papers: [] });
      const range = { firstDay: period.firstDay, lastDay: period.lastDay };
      const [entries, total] = await Promise.all([
        store.listDaily({ ...range, sort: args.sort, offset: args.page * args.limit, limit: args.limit }),
        store.countDaily(range),
      ]);
      const papers = entries.map((e) => record(e.paper));
      return ok(paperListText(`Daily papers of ${period.label} (${total} in all):`, papers), {
        period: period.label,
        total,
        papers,
      });
    },
  );

  server.registerTool(
    'trending',
    {
      title: 'Trending papers',
      description:
        'Papers of the last 7 days of the feed ranked by (upvotes + 2 × comments + 1) / (hours since submission + 2)^1.5.',
      inputSchema: { limit: limit(50, 20) },
      outputSchema: { firstDay: z.string().nullable(), lastDay: z.string().nullable(), ...paperList },
      annotations: READ_ONLY,
    },
    async (args) => {
      const latest = await store.latestDay();
      if (!latest) return ok('There are no papers on the feed yet.', { firstDay: null, lastDay: null, papers: [] });
      const range = trendingWindow(latest);
      const entries = await store.listDaily({ ...range, sort: 'trending', offset: 0, limit: args.limit });
      const papers = entries.map((e) => record(e.paper));
      return ok(paperListText(`Trending, ${range.firstDay} to ${range.lastDay}:`, papers), { ...range, papers });
    },
  );

  server.registerTool(
    'similar_papers',
    {
      title: 'Similar papers',
      description: 'Papers close to a paper, by meaning where the instance has vectors, otherwise by shared words.',
      inputSchema: { id: paperId, limit: limit(20, 5) },
      outputSchema: { id: z.string(), ...paperList },
      annotations: READ_ONLY,
    },
    async (args) => {
      const paper = await findPaper(args.id);
      if (!paper) return notFound(args.id);
      const papers = (await similarPapers(services, paper, args.limit)).map(record);
      return ok(paperListText(`Papers similar to “${paper.title}” (arXiv:${paper.id}):`, papers), {
        id: paper.id,
        papers,
      });
    },
  );

  const member = caller.account;
  if (!member || caller.scope === null) return;
  /** The member, as the token finds them at this call; null when it no longer works. */
  const current = async (): Promise<Account | null> => (caller.recheck ? caller.recheck() : member);
  const gone = () =>
    toolError(
      'Your access token no longer works: it was revoked, or your account cannot act. Make a new one in Settings.',
    );

  server.registerTool(
    'list_collections',
    {
      title: 'Your collections',
      description: 'Your collections (reading lists): id, name, whether public, how many papers.',
      inputSchema: {},
      outputSchema: {
        collections: z.array(
          z.object({
            id: z.number().int(),
            name: z.string(),
            public: z.boolean(),
            papers: z.number().int(),
            url: z.string(),
          }),
        ),
      },
      annotations: READ_ONLY,
    },
    async () => {
      const me = await current();
      if (!me) return gone();
      const collections = (await store.collections.collectionsOf(me.id)).map((k) => ({
        id: k.id,
        name: k.name,
        public: k.isPublic,
        papers: k.papers,
        url: `${publicUrl}/collections/${k.id}`,
      }));
      const text =
        collections.length === 0
          ? 'You have no collections yet: save_to_collection with new_collection makes one.'
          : `Your collections:\n\n${collections.map((k) => `- ${k.name} (id ${k.id}, ${k.papers} papers, ${k.public ? 'public' : 'private'})`).join('\n')}`;
      return ok(text, { collections });
    },
  );

  server.registerTool(
    'for_you',
    {
      title: 'For you',
      description: 'Papers recommended to you from recent days, from what you upvoted and saved, each with its reason.',
      inputSchema: { limit: limit(50, 20) },
      outputSchema: {
        personal: z.boolean().describe('False when there is too little history: the list is the trending one'),
        papers: z.array(paperRecord.extend({ reason: z.string() })),
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const me = await current();
      if (!me) return gone();
      const list = await recommendFor(store, services.recommender, me.id, args.limit);
      const papers = list.items.map((item) => ({ ...record(item.paper), reason: item.reason.text }));
      const heading = list.coldStart
        ? 'Not personal yet (upvote or save papers to teach it); trending papers meanwhile:'
        : 'Recommended for you:';
      return ok(
        paperListText(
          heading,
          papers,
          papers.map((p) => p.reason),
        ),
        { personal: !list.coldStart, papers },
      );
    },
  );

  if (!mayWrite(caller.scope)) return;

  server.registerTool(
    'save_to_collection',
    {
      title: 'Save to a collection',
      description:
        'Saves a paper to one of your collections (collection: its id, from list_collections) or to a new private one (new_collection: its name).',
      inputSchema: {
        paper: paperId,
        collection: z.number().int().positive().optional(),
        new_collection: z.string().trim().min(1).max(COLLECTION_NAME_MAX).optional(),
      },
      outputSchema: { paper: z.string(), collection: z.number().int(), created: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      if ((args.collection === undefined) === (args.new_collection === undefined))
        return toolError('Give either collection (the id of one of your collections) or new_collection (a name).');
      const target: SaveTarget =
        args.collection !== undefined ? { collectionId: args.collection } : { newCollection: args.new_collection! };
      const me = await current();
      if (!me) return gone();
      const saved = await savePaper(store, me, idOf(args.paper) ?? args.paper, target);
      if (!saved.ok) return toolError(saved.error);
      return ok(
        `Saved arXiv:${saved.paperId} to ${saved.created ? 'the new collection' : 'collection'} ${saved.collectionId}.`,
        { paper: saved.paperId, collection: saved.collectionId, created: saved.created },
      );
    },
  );

  server.registerTool(
    'upvote',
    {
      title: 'Upvote',
      description: 'Upvotes a paper as you (again: nothing changes); upvoted: false takes your vote back.',
      inputSchema: { paper: paperId, upvoted: z.boolean().default(true) },
      outputSchema: { paper: z.string(), upvoted: z.boolean(), upvotes: z.number().int() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      const me = await current();
      if (!me) return gone();
      const result = await votePaper(
        store,
        services.limiter,
        me,
        idOf(args.paper) ?? args.paper,
        args.upvoted,
        caller.address,
      );
      if (!result.ok) return toolError(result.error);
      return ok(
        `${result.voted ? 'Upvoted' : 'Took back your upvote of'} arXiv:${result.paperId}: it has ${result.upvotes} upvotes.`,
        { paper: result.paperId, upvoted: result.voted, upvotes: result.upvotes },
      );
    },
  );
  const links = new PaperLinksService({ store, limiter: services.limiter });
  server.registerTool(
    'edit_paper_links',
    {
      title: "Edit a paper's links",
      description:
        "Sets a paper's GitHub repository and project page, as its submitter, one of its verified authors or a moderator. A link left out stays; an empty one is removed. expected_* are the links as you last read them: if they changed since, nothing is written.",
      inputSchema: {
        paper: paperId,
        github_repo: z.string().max(2000).optional().describe('https://github.com/OWNER/REPO, or "" for none'),
        project_page: z.string().max(2000).optional().describe('An https:// address, or "" for none'),
        expected_github_repo: z.string().max(2000).nullable().optional(),
        expected_project_page: z.string().max(2000).nullable().optional(),
      },
      outputSchema: {
        paper: z.string(),
        changed: z.boolean(),
        githubRepo: z.string().nullable(),
        projectPage: z.string().nullable(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      const me = await current();
      if (!me) return gone();
      const id = idOf(args.paper);
      if (!id) return notFound(args.paper);
      const expected =
        args.expected_github_repo === undefined && args.expected_project_page === undefined
          ? undefined
          : { githubRepo: args.expected_github_repo || null, projectPage: args.expected_project_page || null };
      const input = { githubRepo: args.github_repo, projectPage: args.project_page };
      const outcome = await links.edit(me, id, input, expected, caller.address);
      switch (outcome.status) {
        case 'changed':
        case 'unchanged':
          return ok(
            `The links of arXiv:${id} ${outcome.status === 'changed' ? 'are now' : 'were already'}: repository ${outcome.links.githubRepo ?? 'none'}, project page ${outcome.links.projectPage ?? 'none'}.`,
            { paper: id, changed: outcome.status === 'changed', ...outcome.links },
          );
        case 'invalid':
          return toolError(Object.values(outcome.errors).join(' '));
        case 'conflict':
          return toolError(
            `The links changed since you read them, nothing was written. They are now: repository ${outcome.links.githubRepo ?? 'none'}, project page ${outcome.links.projectPage ?? 'none'}.`,
          );
        case 'rate-limited':
          return toolError(`You have edited many links lately: try again in ${outcome.retryAfter} seconds.`);
        case 'forbidden':
          return toolError("Only the paper's submitter, its verified authors and moderators edit its links.");
        case 'missing':
          return notFound(args.paper);
      }
    },
  );
}
