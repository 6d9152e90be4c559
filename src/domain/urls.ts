/** Addresses of the pages, built in one place so that links and routes agree. */
import type { Period } from './periods.ts';

export const PAGE_SIZE = 50;

export function paperUrl(id: string): string {
  // Old-style ids keep their slash: /papers/hep-th/9901001 is the route.
  return `/papers/${id.split('/').map(encodeURIComponent).join('/')}`;
}

/** The paper's page on Hugging Face, where its imported comment count was counted. */
export function huggingFacePaperUrl(id: string): string {
  return `https://huggingface.co/papers/${id.split('/').map(encodeURIComponent).join('/')}`;
}

export function organizationUrl(name: string): string {
  return `/orgs/${encodeURIComponent(name)}`;
}

export function authorUrl(name: string): string {
  return `/authors/${encodeURIComponent(name)}`;
}

const PERIOD_SEGMENT = { day: 'date', week: 'week', month: 'month' } as const;

export function periodUrl(period: Period, page = 1): string {
  return withPage(`/papers/${PERIOD_SEGMENT[period.kind]}/${period.label}`, page);
}

export function dayUrl(day: string): string {
  return `/papers/date/${day}`;
}

/** Adds ?p=N for pages after the first; page 1 is the bare address. */
export function withPage(path: string, page: number): string {
  return page > 1 ? `${path}${path.includes('?') ? '&' : '?'}p=${page}` : path;
}

/** The submit form, filled in with an arXiv id when one is given. */
export function submitUrl(arxivId?: string): string {
  return arxivId ? `/submit?id=${encodeURIComponent(arxivId)}` : '/submit';
}

/** A paper as BibTeX. */
export function paperBibtexUrl(id: string): string {
  return `${paperUrl(id)}.bib`;
}

/** The form that edits a paper's project page and repository. */
export function paperLinksUrl(id: string): string {
  return `${paperUrl(id)}/links`;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}

/** What the image cache keeps a paper's first-page thumbnail under (rendered here, or fetched from its import). */
export const THUMBNAIL_SOURCE_PREFIX = 'thumbnail:';

/**
 * Sources of images an administrator uploaded (the instance's logo): never fetched, so they cannot be had again
 * and clearing the cache keeps them.
 */
export const UPLOADED_SOURCE_PREFIX = 'instance:';

/** A thumbnail's size in pixels: the top of the first page, about Hugging Face's card proportions (15:8). */
export const THUMBNAIL_WIDTH = 600;
export const THUMBNAIL_HEIGHT = 320;

export function thumbnailSource(paperId: string): string {
  return `${THUMBNAIL_SOURCE_PREFIX}${paperId}`;
}

/** An image the instance keeps (src/images/), named by the SHA-256 of its bytes: what it shows never changes. */
export function imageUrl(sha256: string, extension: string): string {
  return `/images/${sha256}.${extension}`;
}

/** What a search page address holds besides the page number; empty values are left out of addresses. */
export interface SearchState {
  q: string;
  from?: string | undefined;
  to?: string | undefined;
  org?: string | undefined;
  category?: string | undefined;
  hasCode?: boolean | undefined;
  sort?: 'relevance' | 'date' | 'upvotes' | undefined;
  mode?: 'hybrid' | 'lexical' | 'vector' | undefined;
  /** Results per page, when not the default. */
  limit?: number | undefined;
}

/** The query-string pairs of a search, in a stable order, defaults left out. */
export function searchParams(state: SearchState): [string, string][] {
  const pairs: [string, string][] = [['q', state.q]];
  if (state.from) pairs.push(['from', state.from]);
  if (state.to) pairs.push(['to', state.to]);
  if (state.org) pairs.push(['org', state.org]);
  if (state.category) pairs.push(['category', state.category]);
  if (state.hasCode) pairs.push(['has_code', '1']);
  if (state.sort && state.sort !== 'relevance') pairs.push(['sort', state.sort]);
  if (state.mode && state.mode !== 'hybrid') pairs.push(['mode', state.mode]);
  if (state.limit !== undefined) pairs.push(['limit', String(state.limit)]);
  return pairs;
}

/** /search?q=…&…&p=N (page 1 has no p). */
export function searchUrl(state: SearchState, page = 1): string {
  const query = new URLSearchParams(searchParams(state));
  if (page > 1) query.set('p', String(page));
  return `/search?${query.toString()}`;
}

/** The sign-in page, coming back to `next` (a local path) afterwards. */
export function signInUrl(next?: string): string {
  return next && next !== '/' ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
}

/** The first sign-in's page, where a new member chooses their handle, going on to `next` afterwards. */
export function welcomeUrl(next?: string): string {
  return next && next !== '/' ? `/welcome?next=${encodeURIComponent(next)}` : '/welcome';
}

/** A Hugging Face member's profile (imported submitters, who have no account here). */
export function huggingFaceUserUrl(name: string): string {
  return `https://huggingface.co/${encodeURIComponent(name)}`;
}

export function memberUrl(name: string): string {
  return `/members/${encodeURIComponent(name)}`;
}
