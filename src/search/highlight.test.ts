import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlight, matcherFor, snippet, type Segment } from './highlight.ts';
import { parseQuery } from './query-parser.ts';

const m = (q: string) => matcherFor(parseQuery(q));
/** Segments written as text with [brackets] around matches. */
const show = (segments: Segment[]) => segments.map((s) => (s.match ? `[${s.text}]` : s.text)).join('');

test('words match by stem, case and accents aside; stop words of the query do not', () => {
  assert.equal(show(highlight('Diffusion Models for Video Generation', m('the diffusion model'))), '[Diffusion Models] for Video Generation');
  assert.equal(show(highlight('Transformers transform; TRANSFORMING data', m('transformer'))), '[Transformers transform]; [TRANSFORMING] data');
  assert.equal(show(highlight('Café crème and cafe', m('cafe'))), '[Café] crème and [cafe]');
  assert.equal(show(highlight('Nothing here', m('diffusion'))), 'Nothing here');
});

test('prefixes match the start of words, unstemmed', () => {
  assert.equal(show(highlight('Transfer and transformers, not a trans', m('transf*'))), '[Transfer] and [transformers], not a trans');
});

test('a phrase lights up as a whole, stop words included; its other words alone still match', () => {
  const matcher = m('"theory of mind"');
  assert.equal(show(highlight('A theory of mind test; one theory, of course', matcher)), 'A [theory of mind] test; one [theory], of course');
  assert.equal(show(highlight('Theory-of-mind benchmarks', matcher)), '[Theory-of-mind] benchmarks');
});

test('segments keep every character of the text, hostile text included', () => {
  const text = '<script>alert("x")</script> & 🚀 script';
  const segments = highlight(text, m('script'));
  assert.equal(segments.map((s) => s.text).join(''), text);
  assert.deepEqual(segments.filter((s) => s.match).map((s) => s.text), ['script', 'script', 'script']);
  assert.deepEqual(highlight(text, m('🚀')), [{ text, match: false }]);
  assert.deepEqual(highlight('', m('x')), []);
});

test('a snippet is the part of a long abstract with the most matches, cut at words, with ellipses', () => {
  const filler = 'We describe the setting in plain words without the key term. ';
  const abstract = `${filler.repeat(6)}Retrieval helps; dense retrieval and sparse retrieval both retrieve well. ${filler.repeat(6)}`;
  const segments = snippet(abstract, m('retrieval'));
  const text = show(segments);
  assert.ok(text.startsWith('…'), text);
  assert.ok(text.endsWith('…'), text);
  assert.ok(text.startsWith('…[Retrieval] helps'), 'starts at the sentence of the first match');
  assert.ok(text.includes('[Retrieval] helps; dense [retrieval] and sparse [retrieval] both [retrieve] well.'), text);
  const length = segments.map((s) => s.text).join('').length;
  assert.ok(length <= 302 && length > 200, `length ${length}`);
  assert.ok(text.endsWith(' words…'), 'cut after a whole word, no trailing space or stop');
});

test('a snippet of a short text is the whole text; without matches, the start', () => {
  assert.equal(show(snippet('Short  abstract\nabout graphs.', m('graph'))), 'Short abstract about [graphs].');
  const long = 'word '.repeat(200);
  const text = show(snippet(long, m('nothing')));
  assert.ok(text.startsWith('word word'));
  assert.ok(text.endsWith('word…'));
  assert.ok(text.length <= 301);
});

test('a match near the start keeps the snippet at the start (no leading ellipsis)', () => {
  const abstract = `Graph networks are studied. ${'More text follows here. '.repeat(40)}`;
  const text = show(snippet(abstract, m('graph')));
  assert.ok(text.startsWith('[Graph] networks'), text);
});
