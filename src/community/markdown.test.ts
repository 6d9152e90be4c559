import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMENT_MAX_CHARS, checkCommentBody, renderMarkdown } from './markdown.ts';

/** Every tag name the renderer produced. */
function tags(out: string): Set<string> {
  return new Set([...out.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
}

const ALLOWED_TAGS = new Set(['p', 'br', 'em', 'strong', 'code', 'pre', 'a', 'ul', 'ol', 'li']);

test('the subset renders: emphasis, inline code, code blocks, links, lists, paragraphs and line breaks', () => {
  assert.equal(
    renderMarkdown('*one* **two** `x < y`'),
    '<p><em>one</em> <strong>two</strong> <code>x &lt; y</code></p>\n',
  );
  assert.equal(renderMarkdown('```\nconst a = 1;\n```'), '<pre><code>const a = 1;\n</code></pre>\n');
  assert.equal(renderMarkdown('    indented code'), '<pre><code>indented code\n</code></pre>\n');
  assert.equal(renderMarkdown('- a\n- b'), '<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n');
  assert.equal(renderMarkdown('1. a\n2. b'), '<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n');
  assert.equal(renderMarkdown('first\nsecond\n\nthird'), '<p>first<br>\nsecond</p>\n<p>third</p>\n');
  assert.equal(
    renderMarkdown('[the code](https://github.com/x/y)'),
    '<p><a href="https://github.com/x/y" rel="nofollow ugc">the code</a></p>\n',
  );
});

test('every link carries rel="nofollow ugc": written, <autolink>, bare address, mailto', () => {
  const out = renderMarkdown(
    '[a](http://a.example) <https://b.example> see https://c.example/x?y=1&z=2 [m](mailto:me@d.example)',
  );
  const anchors = [...out.matchAll(/<a [^>]*>/g)].map((m) => m[0]);
  assert.equal(anchors.length, 4, out);
  for (const a of anchors) assert.match(a, / rel="nofollow ugc"/);
  assert.match(out, /href="https:\/\/c\.example\/x\?y=1&amp;z=2"/);
  // Without its scheme an address stays text.
  assert.doesNotMatch(renderMarkdown('example.com and me@example.com'), /<a /);
});

test('raw HTML is shown as text, inline and as blocks', () => {
  assert.equal(renderMarkdown('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  assert.equal(renderMarkdown('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
  const block = renderMarkdown('<div onclick="x()">\n<iframe src="evil.html"></iframe>\n</div>');
  assert.doesNotMatch(block, /<div|<iframe/);
  assert.match(block, /&lt;iframe src=&quot;evil\.html&quot;&gt;&lt;\/iframe&gt;/);
  assert.doesNotMatch(renderMarkdown('a <!-- hidden --> b <svg/onload=alert(1)>'), /<!--|<svg/);
  // Entities decode to text and are escaped again: they cannot smuggle a tag in.
  assert.equal(renderMarkdown('&lt;b&gt; &#60;i&#62;'), '<p>&lt;b&gt; &lt;i&gt;</p>\n');
  // Code keeps its characters, escaped.
  assert.equal(
    renderMarkdown('```\n<script>x</script>\n```'),
    '<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>\n',
  );
});

test('only http, https and mailto addresses become links', () => {
  for (const bad of [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](/relative/path)',
    '[x](//evil.example/)',
    '[x](#top)',
    '<javascript:alert(1)>',
    '[x](&#106;avascript:alert(1))',
    '[x](java%0ascript:alert(1))',
  ]) {
    const out = renderMarkdown(bad);
    assert.doesNotMatch(out, /<a /, `${bad} → ${out}`);
    assert.doesNotMatch(out, /<script/i);
  }
});

test('quotes cannot break out of attributes', () => {
  const out = renderMarkdown('[a"b](https://x.example/"onmouseover="alert(1) "t\\" onfocus=\\"y")');
  assert.doesNotMatch(out, /" onmouseover=|" onfocus=/);
  const out2 = renderMarkdown('[q](https://x.example/"><script>alert(1)</script>)');
  assert.doesNotMatch(out2, /<script/);
  for (const s of [out, out2]) for (const tag of tags(s)) assert.ok(ALLOWED_TAGS.has(tag), `${tag} in ${s}`);
});

test('what is outside the subset stays text: headings, images, tables', () => {
  const out = renderMarkdown('# Title\n\n![pic](https://x.example/p.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |');
  assert.doesNotMatch(out, /<h1|<img|<table/);
  for (const tag of tags(out)) assert.ok(ALLOWED_TAGS.has(tag), tag);
});

test('blockquotes: > lines quote, nested, with the subset inside; raw HTML inside stays text', () => {
  assert.equal(
    renderMarkdown('> quoted *text*\n> more\n\nreply'),
    '<blockquote>\n<p>quoted <em>text</em><br>\nmore</p>\n</blockquote>\n<p>reply</p>\n',
  );
  const nested = renderMarkdown('> outer\n>> inner');
  assert.equal((nested.match(/<blockquote>/g) ?? []).length, 2);
  const hostile = renderMarkdown('> <script>alert(1)</script>\n> [x](javascript:alert(1))');
  assert.doesNotMatch(hostile, /<script|<a /);
  assert.match(hostile, /&lt;script&gt;/);
  for (const tag of tags(hostile)) assert.ok(ALLOWED_TAGS.has(tag) || tag === 'blockquote', tag);
});

test('bodies: empty refused, too long refused with the limit in the message, line endings normalized', () => {
  assert.deepEqual(checkCommentBody('  \n\t '), {
    ok: false,
    message: 'The comment is empty. Write something before posting.',
  });
  assert.equal(checkCommentBody(undefined).ok, false);
  assert.deepEqual(checkCommentBody(' a\r\nb\r\n'), { ok: true, body: 'a\nb' });
  assert.equal(checkCommentBody('x'.repeat(COMMENT_MAX_CHARS)).ok, true);
  // Emoji count as one character each.
  assert.equal(checkCommentBody('😀'.repeat(COMMENT_MAX_CHARS)).ok, true);
  const long = checkCommentBody('x'.repeat(COMMENT_MAX_CHARS + 1));
  assert.equal(long.ok, false);
  assert.match(!long.ok ? long.message : '', /too long: 10,001 characters, and the limit is 10,000/);
  const huge = checkCommentBody('x'.repeat(1_000_000));
  assert.match(!huge.ok ? huge.message : '', /more than 40,000 characters/);
});

test('pathological input renders quickly', () => {
  const started = performance.now();
  renderMarkdown('*a **b '.repeat(1500));
  renderMarkdown('['.repeat(10_000));
  renderMarkdown('- '.repeat(5000));
  renderMarkdown('`'.repeat(10_000));
  assert.ok(performance.now() - started < 2000);
});

test('mentions link only the members given, outside code, formulas and links', () => {
  const members = new Map([['ada', 'ada']]);
  assert.equal(
    renderMarkdown('Hi @ada and @bob', members),
    '<p>Hi <a class="mention" href="/members/ada">@ada</a> and @bob</p>\n',
  );
  assert.equal(renderMarkdown('Hi @ada'), '<p>Hi @ada</p>\n', 'no members given: no links');
  assert.equal(renderMarkdown('`@ada` $@ada$ ada@example.org', members).includes('mention'), false);
  assert.equal(
    renderMarkdown('[see @ada](https://example.org)', members),
    '<p><a href="https://example.org" rel="nofollow ugc">see @ada</a></p>\n',
  );
  assert.equal(
    renderMarkdown('**@ada**<b>', members),
    '<p><strong><a class="mention" href="/members/ada">@ada</a></strong>&lt;b&gt;</p>\n',
  );
});
