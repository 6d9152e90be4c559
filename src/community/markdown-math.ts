/**
 * Math in comments: `$…$` inline, `$$…$$` displayed (on its own lines, or inline), rendered on the server by
 * KaTeX as MathML only. The page needs no script, no stylesheet of KaTeX's and no inline style: browsers lay
 * MathML out themselves, so the site's Content-Security-Policy stays as it is.
 *
 * Safety: KaTeX escapes every character it outputs, and runs untrusted (`trust: false`), so \href, \url,
 * \includegraphics and the \html… commands render as red text, never as a link, an image or an attribute.
 * A formula is bounded (MAX_FORMULA_CHARS, MAX_FORMULAS per comment, KaTeX's macro expansion limit and
 * maximum size); one that fails to parse, or passes the bounds, is shown as its source in <code>.
 *
 * The delimiters follow pandoc's rule, so that prices stay text: an opening `$` is not followed by a space, a
 * closing `$` is not preceded by one nor followed by a digit ("$5 and $10" is no formula). `\$` is a dollar.
 */
import katex from 'katex';
import type { MarkdownIt, StateBlock, StateInline } from 'markdown-it';

export const MAX_FORMULA_CHARS = 2_000;
export const MAX_FORMULAS = 100;

const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

/** Counts formulas per render (markdown-it's env is per call). */
interface MathEnv {
  formulas?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * A formula as MathML, or its source as code when it cannot (or may not) be rendered. `block`: a $$ block of its
 * own (a <div>); `display`: displayed, within a paragraph (a <span> shown as a block).
 */
export function renderFormula(source: string, display: boolean, env: MathEnv = {}, block = false): string {
  env.formulas = (env.formulas ?? 0) + 1;
  const delimiter = display ? '$$' : '$';
  const written = escapeHtml(`${delimiter}${source}${delimiter}`);
  const asSource = () =>
    block ? `<pre class="math-source"><code>${written}</code></pre>\n` : `<code class="math-source">${written}</code>`;
  if (source.length > MAX_FORMULA_CHARS || env.formulas > MAX_FORMULAS) return asSource();
  try {
    const mathml = katex.renderToString(source, {
      output: 'mathml',
      displayMode: display,
      throwOnError: true,
      trust: false,
      strict: 'ignore',
      maxExpand: 500,
      maxSize: 10,
      // A fresh table each time: \gdef in one comment must not define a macro for the next.
      macros: {},
      globalGroup: false,
    });
    if (block) return `<div class="math-display">${mathml}</div>\n`;
    return display ? `<span class="math-display">${mathml}</span>` : mathml;
  } catch {
    // A parse error (or a nesting too deep for the parser): the source, as written.
    return asSource();
  }
}

/** `$…$` and `$$…$$` within a paragraph. */
function inlineMath(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  const display = src.charCodeAt(pos + 1) === DOLLAR;
  const open = display ? 2 : 1;
  const start = pos + open;
  if (start >= posMax) return false;
  const first = src.charCodeAt(start);
  if (first === 0x20 || first === 0x0a || first === 0x09 || first === DOLLAR) return false;
  let end = start;
  for (;;) {
    end = src.indexOf(display ? '$$' : '$', end);
    if (end === -1 || end >= posMax) return false;
    // An escaped dollar inside the formula (\$) is part of it.
    let backslashes = 0;
    for (let i = end - 1; i >= start && src.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    const before = src.charCodeAt(end - 1);
    const after = src.charCodeAt(end + open);
    const closes =
      backslashes % 2 === 0 &&
      before !== 0x20 &&
      before !== 0x0a &&
      before !== 0x09 &&
      (display || !(after >= 0x30 && after <= 0x39));
    if (closes && end > start) break;
    end += 1;
  }
  if (!silent) {
    const token = state.push(display ? 'math_inline_display' : 'math_inline', 'math', 0);
    token.content = src.slice(start, end);
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + open;
  return true;
}

/** A `$$` block: from a line starting with $$ to the line ending with $$ (possibly the same line). */
function blockMath(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = state.bMarks[startLine]! + state.tShift[startLine]!;
  let max = state.eMarks[startLine]!;
  // Indented four spaces or more, it is a code block.
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  if (pos + 2 > max || state.src.slice(pos, pos + 2) !== '$$') return false;
  pos += 2;
  let firstLine = state.src.slice(pos, max);
  let found = false;
  let lastLine = '';
  let line = startLine;
  if (firstLine.trim().endsWith('$$')) {
    firstLine = firstLine.trim().slice(0, -2);
    found = true;
  } else if (firstLine.includes('$$')) {
    // "$$x$$ and more": displayed math within a paragraph, for the inline rule.
    return false;
  }
  if (!found) {
    for (line = startLine + 1; line < endLine; line++) {
      pos = state.bMarks[line]! + state.tShift[line]!;
      max = state.eMarks[line]!;
      if (pos < max && state.sCount[line]! < state.blkIndent) break;
      const text = state.src.slice(pos, max).trim();
      if (text.endsWith('$$')) {
        lastLine = text.slice(0, -2);
        found = true;
        break;
      }
    }
  }
  // Unclosed: not math; the line is read as a paragraph.
  if (!found) return false;
  if (silent) return true;
  state.line = line + 1;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = (
    line === startLine
      ? firstLine
      : [firstLine, state.getLines(startLine + 1, line, state.tShift[startLine]!, false), lastLine].join('\n')
  ).trim();
  token.map = [startLine, state.line];
  token.markup = '$$';
  return true;
}

/** Adds math to a markdown-it instance. */
export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.after('escape', 'math_inline', inlineMath);
  md.block.ruler.after('fence', 'math_block', blockMath, { alt: ['paragraph', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens, idx, _options, env) =>
    renderFormula(tokens[idx]!.content, false, env as MathEnv);
  md.renderer.rules.math_inline_display = (tokens, idx, _options, env) =>
    renderFormula(tokens[idx]!.content, true, env as MathEnv);
  md.renderer.rules.math_block = (tokens, idx, _options, env) =>
    renderFormula(tokens[idx]!.content, true, env as MathEnv, true);
}
