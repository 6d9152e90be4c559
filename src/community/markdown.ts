/**
 * The Markdown of comments, rendered safely. A small subset: paragraphs and line breaks, emphasis, inline
 * code and code blocks, links, lists, blockquotes, and math (`$…$`, `$$…$$`, as MathML: markdown-math.ts).
 * Everything else (headings, tables, images) stays text.
 *
 * Safety rests on the parser, not on cleaning its output afterwards:
 * - `html: false`: raw HTML, inline or in blocks, is never passed through; it is escaped as text.
 * - Links (written ones, <autolinks> and bare http(s) addresses) get an href only when it is http:,
 *   https: or mailto:; anything else (javascript:, data:, vbscript:, relative paths) is left as text.
 * - Every link carries rel="nofollow ugc" (members' links earn no ranking from us).
 * - Attribute values and text are escaped by markdown-it's renderer (`&`, `<`, `>`, `"`).
 */
import MarkdownIt from 'markdown-it';
import { mathPlugin } from './markdown-math.ts';

/** The longest comment, in characters (code points). */
export const COMMENT_MAX_CHARS = 10_000;

const LINK_REL = 'nofollow ugc';
const SAFE_HREF = /^(?:https?:\/\/[^\s/?#]|mailto:[^\s])/i;

const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false, xhtmlOut: false });
md.enable([
  'paragraph',
  'newline',
  'escape',
  'entity',
  'emphasis',
  'backticks',
  'code',
  'fence',
  'list',
  'blockquote',
  'link',
  'autolink',
  'linkify',
]);
// Bare addresses become links only when they have their scheme: "example.com" stays text.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
md.validateLink = (url: string) => SAFE_HREF.test(url.trim());
md.use(mathPlugin);

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet('rel', LINK_REL);
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The HTML of a comment's Markdown source: safe to insert as is. */
export function renderMarkdown(source: string): string {
  // A fresh env per comment: it counts the comment's formulas (markdown-math.ts).
  return md.render(source, {});
}

/** Length as people count it (code points, so an emoji is one). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export type CommentBodyCheck = { ok: true; body: string } | { ok: false; message: string };

/** A comment body as typed, normalized (line endings, surrounding blank space) and checked. */
export function checkCommentBody(input: unknown): CommentBodyCheck {
  if (typeof input !== 'string') return { ok: false, message: 'The comment is empty.' };
  // Cheap bound first: a body many times too long is not counted character by character.
  if (input.length > COMMENT_MAX_CHARS * 4) return tooLong(charCount(input.slice(0, COMMENT_MAX_CHARS * 4)), true);
  const body = input.replace(/\r\n?/g, '\n').trim();
  if (body === '') return { ok: false, message: 'The comment is empty. Write something before posting.' };
  const length = charCount(body);
  if (length > COMMENT_MAX_CHARS) return tooLong(length, false);
  return { ok: true, body };
}

function tooLong(length: number, atLeast: boolean): CommentBodyCheck {
  const count = length.toLocaleString('en-US');
  return {
    ok: false,
    message: `The comment is too long: ${atLeast ? 'more than ' : ''}${count} characters, and the limit is ${COMMENT_MAX_CHARS.toLocaleString('en-US')}. Please shorten it.`,
  };
}
