/** An organization: avatar, full name, totals, and its papers newest first. */
import type { Paper } from '../../domain/types.ts';
import type { OrganizationSummary } from '../../store/store.ts';
import type { PageOptions } from '../layout.ts';
import { profileBody } from '../components/profile.ts';
import { organizationUrl } from '../../domain/urls.ts';
import { feedAlternates, organizationFeed } from '../../feeds/links.ts';
import { html } from 'hono/html';
import { followButton } from '../components/follow-button.ts';
import type { Viewer } from '../../http/viewer.ts';

export function organizationPage(
  summary: OrganizationSummary,
  papers: Paper[],
  page: number,
  viewer: Viewer,
  following: boolean,
): PageOptions {
  const org = summary.organization;
  const feeds = feedAlternates(organizationFeed(org.name), org.fullname);
  return {
    title: `${org.fullname}${page > 1 ? ` (page ${page})` : ''}`,
    description: `Research papers from ${org.fullname} featured on Daily Papers.`,
    alternates: feeds,
    nav: 'papers',
    navCurrent: 'true',
    body: html`${followButton('organization', org.name, org.fullname, viewer, following)}${profileBody({
      kind: 'Organization',
      name: org.fullname,
      handle: org.name !== org.fullname ? org.name : undefined,
      avatarUrl: org.avatar,
      totals: summary,
      papers,
      page,
      path: organizationUrl(org.name),
      feeds,
      cards: { showOrganization: false, viewer: viewer.account ? viewer : undefined },
    })}`,
  };
}
