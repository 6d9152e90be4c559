/** Addresses of the pages, built in one place so that links and routes agree. */
import type { Period } from '../domain/periods.ts';

export const PAGE_SIZE = 50;

export function paperUrl(id: string): string {
  // Old-style ids keep their slash: /papers/hep-th/9901001 is the route.
  return `/papers/${id.split('/').map(encodeURIComponent).join('/')}`;
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
  return page > 1 ? `${path}?p=${page}` : path;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}
