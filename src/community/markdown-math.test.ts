import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from './markdown.ts';
import { MAX_FORMULA_CHARS, MAX_FORMULAS } from './markdown-math.ts';

/** Every tag name the renderer produced. */
function tags(out: string): Set<string> {
  return new Set([...out.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
}

/** What a comment may contain: the Markdown subset, and MathML (elements, never HTML elements inside it). */
const TEXT_TAGS = new Set(['p', 'br', 'em', 'strong', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote']);
const MATH_TAGS = new Set([
  'span',
  'div',
  'math',
  'semantics',
  'annotation',
  'mrow',
  'mi',
  'mn',
  'mo',
  'msup',
  'msub',
  'msubsup',
  'mfrac',
  'msqrt',
  'mroot',
  'mtext',
  'mspace',
  'mstyle',
  'mpadded',
  'mover',
  'munder',
  'munderover',
  'mtable',
  'mtr',
  'mtd',
  'menclose',
]);

function assertSafe(out: string, what: string) {
  for (const tag of tags(out)) assert.ok(TEXT_TAGS.has(tag) || MATH_TAGS.has(tag), `${tag} in ${what}: ${out}`);
  // In the markup (text is escaped, so its "<" never opens a tag): no inline style (the CSP forbids it), no event
  // handler, no link target of any kind.
  for (const [tag] of out.matchAll(/<[^>]+>/g)) {
    assert.doesNotMatch(tag, /\sstyle=/i, `${what}: ${tag}`);
    assert.doesNotMatch(tag, /\son[a-z]+=/i, `${what}: ${tag}`);
    assert.doesNotMatch(tag, /\s(href|src|xlink:href|action)=/i, `${what}: ${tag}`);
  }
}

test('$…$ is inline MathML, $$…$$ on its own lines a displayed block', () => {
  const inline = renderMarkdown('Euler: $e^{i\\pi}+1=0$, famous.');
  assert.match(inline, /^<p>Euler: <span class="katex"><math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML">/);
  assert.match(inline, /<msup><mi>e<\/mi>/);
  assert.match(inline, /<annotation encoding="application\/x-tex">e\^\{i\\pi\}\+1=0<\/annotation>/);
  assert.match(inline, /<\/math><\/span>, famous\.<\/p>/);
  const block = renderMarkdown('Before\n\n$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\nAfter');
  assert.match(block, /<div class="math-display"><span class="katex"><math [^>]*display="block">/);
  assert.match(block, /<mfrac><mn>1<\/mn><mn>2<\/mn><\/mfrac>/);
  assert.match(block, /<p>After<\/p>/);
  const oneLine = renderMarkdown('$$x^2$$');
  assert.match(oneLine, /^<div class="math-display">/);
  const withinText = renderMarkdown('so $$a+b$$ holds');
  assert.match(withinText, /^<p>so <span class="math-display"><span class="katex"><math [^>]*display="block">/);
  for (const out of [inline, block, oneLine, withinText]) assertSafe(out, 'math');
});

test('dollars that are not math stay text: prices, unbalanced, escaped, spaced, in code', () => {
  for (const [source, expected] of [
    ['costs $5 and $10 today', '<p>costs $5 and $10 today</p>\n'],
    ['unbalanced $x + y', '<p>unbalanced $x + y</p>\n'],
    ['\\$5 and \\$6', '<p>$5 and $6</p>\n'],
    ['$ x $', '<p>$ x $</p>\n'],
    ['price $x$1', '<p>price $x$1</p>\n'],
    ['`$x$` in code', '<p><code>$x$</code> in code</p>\n'],
    ['$$ never closed\n\nnext', '<p>$$ never closed</p>\n<p>next</p>\n'],
    ['a lone $', '<p>a lone $</p>\n'],
  ] as const)
    assert.equal(renderMarkdown(source), expected, source);
});

test('math inside a quote and a list', () => {
  const out = renderMarkdown('> the claim $a^2+b^2=c^2$\n\n- item $x_1$');
  assert.match(out, /<blockquote>\n<p>the claim <span class="katex"><math/);
  assert.match(out, /<li>item <span class="katex"><math/);
  assertSafe(out, 'quote and list');
});

test('hostile formulas: no link, no script, no style, no HTML', () => {
  for (const source of [
    '$\\href{javascript:alert(1)}{click}$',
    '$\\url{javascript:alert(1)}$',
    '$\\includegraphics{https://evil.example/x.png}$',
    '$\\htmlStyle{color:red;background:url(https://evil.example)}{x}$',
    '$\\htmlClass{site-header}{x}$',
    '$\\htmlId{main}{x}$',
    '$\\htmlData{x=1}{y}$',
    '$<script>alert(1)</script>$',
    '$\\text{<img src=x onerror=alert(1)>}$',
    '$\\verb|<b onclick=x>|$',
    '$$\n\\href{https://evil.example}{\\text{login here}}\n$$',
    '$\\def\\a{\\a\\a}\\a$',
    '$\\gdef\\x{\\x\\x}\\x$',
    '$\\rule{1000em}{1000em}$',
    '$\\color{red}{x}$',
    `$${'{'.repeat(600)}x${'}'.repeat(600)}$`,
  ]) {
    const out = renderMarkdown(source);
    assertSafe(out, source);
    assert.doesNotMatch(out, /<img|<b |<a /, source);
  }
  // A size beyond KaTeX's bound is clamped: no element several screens wide.
  const rule = renderMarkdown('$\\rule{1000em}{1000em}$');
  assert.match(rule, /<mspace [^>]*width="10em" height="10em">/);
  assert.doesNotMatch(rule, /width="1000em"|height="1000em"/);
});

test('a \\gdef in one comment does not define a macro for the next', () => {
  renderMarkdown('$\\gdef\\leak{LEAKED}\\leak$');
  const next = renderMarkdown('$\\leak$');
  assert.doesNotMatch(next, /LEAKED/);
  assert.match(next, /<code class="math-source">\$\\leak\$<\/code>/);
});

test('bounds: a huge formula, too many formulas, a parse error are shown as their source', () => {
  const huge = `$${'x+'.repeat(MAX_FORMULA_CHARS)}x$`;
  const hugeOut = renderMarkdown(huge);
  assert.doesNotMatch(hugeOut, /<math/);
  assert.match(hugeOut, /^<p><code class="math-source">\$x\+x\+/);
  const many = Array.from({ length: MAX_FORMULAS + 5 }, (_, i) => `$x_{${i}}$`).join(' ');
  const manyOut = renderMarkdown(many);
  assert.equal((manyOut.match(/<math /g) ?? []).length, MAX_FORMULAS);
  assert.equal((manyOut.match(/class="math-source"/g) ?? []).length, 5);
  const broken = renderMarkdown('$\\frac{1}{$ and $\\undefinedmacro$');
  assert.match(broken, /<code class="math-source">\$\\frac\{1\}\{\$<\/code>/);
  assert.match(broken, /<code class="math-source">\$\\undefinedmacro\$<\/code>/);
  // The count is per comment: the next comment renders its formulas again.
  assert.match(renderMarkdown('$y$'), /<math /);
});

test('a comment at the length limit full of formulas renders quickly', () => {
  const body = Array.from({ length: 600 }, (_, i) => `$\\sum_{k=0}^{${i}} k^2$`)
    .join(' ')
    .slice(0, 10_000);
  const started = performance.now();
  renderMarkdown(body);
  const ms = performance.now() - started;
  // Generous: a bound against pathological cost, not a speed goal (those live in bench/).
  assert.ok(ms < 2_000, `${ms} ms`);
});
