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
 * - `@handle` of a member the caller names (`mentions`) links to their page; any other @word stays text, and
 *   so does a mention in code, in a formula or inside a link (mentions.ts finds the same ones to notify).
 */
import MarkdownIt from 'markdown-it';
import { mathPlugin } from './markdown-math.ts';
import { MENTION } from './mentions.ts';
import { memberUrl } from '../domain/urls.ts';

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

interface MentionEnv {
  /** Members that may be linked: handle in lower case → the handle as the member wrote it. */
  mentions?: ReadonlyMap<string, string>;
  [key: string | symbol]: unknown;
}

// After every other rule: text tokens are final (joined), links and code are tokens of their own.
md.core.ruler.push('mentions', (state) => {
  const mentions = (state.env as MentionEnv).mentions;
  if (!mentions || mentions.size === 0) return;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: typeof block.children = [];
    let inLink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') inLink++;
      else if (token.type === 'link_close') inLink--;
      if (token.type !== 'text' || inLink > 0) {
        out.push(token);
        continue;
      }
      let last = 0;
      for (const match of token.content.matchAll(MENTION)) {
        const name = mentions.get(match[1]!.toLowerCase());
        if (!name) continue;
        const text = (content: string) => Object.assign(new state.Token('text', '', 0), { content });
        if (match.index > last) out.push(text(token.content.slice(last, match.index)));
        const open = new state.Token('mention_open', 'a', 1);
        open.attrs = [
          ['class', 'mention'],
          ['href', memberUrl(name)],
        ];
        out.push(open, text(match[0]), new state.Token('mention_close', 'a', -1));
        last = match.index + match[0].length;
      }
      if (last === 0) out.push(token);
      else if (last < token.content.length) out.push(Object.assign(token, { content: token.content.slice(last) }));
    }
    block.children = out;
  }
});
md.renderer.rules.mention_open = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
md.renderer.rules.mention_close = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);

/**
 * The HTML of a comment's Markdown source: safe to insert as is. `mentions`: the members whose `@handle` is
 * linked (handle in lower case → handle), those that exist; other mentions stay text.
 */
export function renderMarkdown(source: string, mentions?: ReadonlyMap<string, string>): string {
  // A fresh env per comment: it counts the comment's formulas (markdown-math.ts).
  const env: MentionEnv = mentions ? { mentions } : {};
  return md.render(source, env);
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
