/**
 * A paper's links (its project page and GitHub repository), as Hugging Face's POST /api/papers/{id}/links sets
 * them: who may edit them, what counts as a valid link, and the edit itself (checked, rate limited, logged by
 * the store). The form on the site (web/paper-routes.ts), the token-authenticated JSON endpoint (api/write-routes.ts) and
 * the MCP tool all call `edit`.
 */
import type { Account, PaperLinks, SetLinksResult } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import type { RateLimiter } from './rate-limits.ts';
import { approvedClaimants } from './author-claims.ts';

/** Longest link kept, in characters. */
export const MAX_LINK_LENGTH = 500;

/** What decides who may edit a paper's links besides the member's role. Author claims will add their claimants. */
export interface LinkEditTarget {
  /** Members who submitted the paper here. */
  submitterIds: readonly number[];
  /** Members verified as authors of the paper (community/author-claims.ts). */
  verifiedAuthorIds?: readonly number[] | undefined;
}

/**
 * Whether this member may edit the paper's links: its submitter, a verified author of it, a moderator or an
 * administrator. Banned and deleted accounts may not; nobody signed out may.
 */
export function canEditLinks(viewer: Account | null, paper: LinkEditTarget): boolean {
  if (!viewer || viewer.bannedAt !== null || viewer.deletedAt !== null) return false;
  if (viewer.role === 'moderator' || viewer.role === 'admin') return true;
  return paper.submitterIds.includes(viewer.id) || (paper.verifiedAuthorIds ?? []).includes(viewer.id);
}

/** What canEditLinks needs of a paper, read from the store. */
export async function linkEditTarget(store: Store, paperId: string): Promise<LinkEditTarget> {
  const [submitterIds, authors] = await Promise.all([
    store.community.paperSubmitters(paperId),
    approvedClaimants(store, paperId),
  ]);
  return { submitterIds, verifiedAuthorIds: authors.map((a) => a.member.id) };
}

export type LinkField = keyof PaperLinks;
export type LinkErrors = Partial<Record<LinkField, string>>;

export type ParsedLinks = { ok: true; links: PaperLinks } | { ok: false; errors: LinkErrors };

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** A project page: an https address of a named host, without a user name or password. Empty means none. */
export function parseProjectPage(value: unknown): { ok: true; url: string | null } | { ok: false; error: string } {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return { ok: true, url: null };
  if (text.length > MAX_LINK_LENGTH) return { ok: false, error: `A link has at most ${MAX_LINK_LENGTH} characters.` };
  const url = parseUrl(text);
  if (url?.protocol !== 'https:')
    return { ok: false, error: 'The project page must be an https:// address, like https://example.org/project.' };
  if (url.username !== '' || url.password !== '')
    return { ok: false, error: 'The project page must not hold a user name or password.' };
  if (!isPublicHostName(url.hostname))
    return { ok: false, error: 'The project page must be on a named public host, like example.org.' };
  return { ok: true, url: url.href };
}

/**
 * A GitHub repository: https://github.com/OWNER/REPO (also given without https://, with www., a trailing slash or
 * .git), kept as https://github.com/OWNER/REPO. Empty means none.
 */
export function parseGithubRepo(value: unknown): { ok: true; url: string | null } | { ok: false; error: string } {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return { ok: true, url: null };
  const refused = {
    ok: false as const,
    error: 'The repository must be a GitHub repository address, like https://github.com/owner/repo.',
  };
  if (text.length > MAX_LINK_LENGTH) return refused;
  const url = parseUrl(/^(?:www\.)?github\.com\//i.test(text) ? `https://${text}` : text);
  if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '') return refused;
  if (url.hostname !== 'github.com' && url.hostname !== 'www.github.com') return refused;
  if (url.search !== '' || url.hash !== '' || url.port !== '') return refused;
  const [owner, repo, ...rest] = url.pathname
    .replace(/^\/|\/$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  if (rest.length > 0 || !owner || !repo || !GITHUB_OWNER.test(owner) || !GITHUB_REPO.test(repo)) return refused;
  if (repo === '.' || repo === '..') return refused;
  return { ok: true, url: `https://github.com/${owner}/${repo}` };
}

/** Both links of a form or request body; every error at once, by field. */
export function parseLinks(input: { githubRepo?: unknown; projectPage?: unknown }): ParsedLinks {
  const github = parseGithubRepo(input.githubRepo);
  const project = parseProjectPage(input.projectPage);
  if (github.ok && project.ok) return { ok: true, links: { githubRepo: github.url, projectPage: project.url } };
  const errors: LinkErrors = {};
  if (!github.ok) errors.githubRepo = github.error;
  if (!project.ok) errors.projectPage = project.error;
  return { ok: false, errors };
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** A host name with a dot, not an address: links point at sites, not at machines (or at this one). */
function isPublicHostName(host: string): boolean {
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) return false;
  const name = host.replace(/\.$/, '');
  return name.includes('.') && !/(?:^|\.)(?:localhost|local|internal|home\.arpa)$/i.test(name);
}

export type LinkEditOutcome =
  | SetLinksResult
  | { status: 'forbidden' }
  | { status: 'invalid'; errors: LinkErrors }
  | { status: 'rate-limited'; retryAfter: number };

export class PaperLinksService {
  readonly #store: Store;
  readonly #limiter: RateLimiter;

  constructor(options: { store: Store; limiter: RateLimiter }) {
    this.#store = options.store;
    this.#limiter = options.limiter;
  }

  async mayEdit(account: Account | null, paperId: string): Promise<boolean> {
    return account !== null && canEditLinks(account, await linkEditTarget(this.#store, paperId));
  }

  /**
   * Sets the paper's links for this member. `expected` are the links the member saw (a form sends them back):
   * if someone changed them meanwhile, nothing is written ('conflict'). Without it (an API call), the links
   * as they are now are taken as seen. A field of `input` left out (undefined) keeps its link as seen; an empty
   * or null one removes it.
   */
  async edit(
    account: Account,
    paperId: string,
    input: { githubRepo?: unknown; projectPage?: unknown },
    expected: PaperLinks | undefined,
    address: string,
    now = new Date(),
  ): Promise<LinkEditOutcome> {
    const paper = await this.#store.getPaper(paperId);
    if (!paper) return { status: 'missing' };
    if (!(await this.mayEdit(account, paper.id))) return { status: 'forbidden' };
    const seen = expected ?? { githubRepo: paper.githubRepo, projectPage: paper.projectPage };
    const parsed = parseLinks({
      githubRepo: input.githubRepo === undefined ? seen.githubRepo : input.githubRepo,
      projectPage: input.projectPage === undefined ? seen.projectPage : input.projectPage,
    });
    if (!parsed.ok) return { status: 'invalid', errors: parsed.errors };
    const limit = await this.#limiter.hit('links', String(account.id), address, now);
    if (!limit.allowed) return { status: 'rate-limited', retryAfter: limit.retryAfter };
    return this.#store.community.setPaperLinks(paper.id, seen, parsed.links, account.id, now);
  }
}
