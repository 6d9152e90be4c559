/** An author: their papers newest first, with totals. */
import type { Paper } from '../../domain/types.ts';
import type { AuthorSummary } from '../../store/store.ts';
import type { PageOptions } from '../layout.ts';
import { profileBody } from '../components/profile.ts';
import { authorUrl } from '../../domain/urls.ts';
import { authorFeed, feedAlternates } from '../../feeds/links.ts';
import { html } from 'hono/html';
import { followButton } from '../components/follow-button.ts';
import type { Viewer } from '../../http/viewer.ts';

export function authorPage(
  summary: AuthorSummary,
  papers: Paper[],
  page: number,
  viewer: Viewer,
  following: boolean,
): PageOptions {
  const feeds = feedAlternates(authorFeed(summary.name), summary.name);
  return {
    title: `${summary.name}${page > 1 ? ` (page ${page})` : ''}`,
    description: `Research papers by ${summary.name} featured on Daily Papers.`,
    alternates: feeds,
    nav: 'papers',
    navCurrent: 'true',
    body: html`${followButton('author', summary.name, summary.name, viewer, following)}${profileBody({
      kind: 'Author',
      name: summary.name,
      avatarUrl: null,
      totals: summary,
      papers,
      page,
      path: authorUrl(summary.name),
      feeds,
      cards: { viewer: viewer.account ? viewer : undefined },
    })}`,
  };
}
