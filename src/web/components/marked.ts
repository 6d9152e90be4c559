/** Text with the words a search matched in <mark>; every segment is escaped by the template. */
import { html } from 'hono/html';
import type { Segment } from '../../search/highlight.ts';
import type { Html } from '../html.ts';

export function marked(segments: readonly Segment[]): Html {
  return html`${segments.map((s) => (s.match ? html`<mark>${s.text}</mark>` : s.text))}`;
}
