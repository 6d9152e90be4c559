/** The discussion under a paper (comments with one level of replies). */
import { html } from 'hono/html';
import type { AppContext } from '../server/app.ts';
import type { Paper } from '../domain/types.ts';
import type { Html } from './html.ts';
import type { Viewer } from './viewer.ts';

export async function discussionSection(_ctx: AppContext, _paper: Paper, _viewer: Viewer): Promise<Html> {
  return html``;
}
