import { test } from 'node:test';
import assert from 'node:assert/strict';
import { densestWindow, highlight, matcherFor, snippet, type Matcher, type Segment } from './highlight.ts';
import { parseQuery } from './query-parser.ts';

const m = (q: string) => matcherFor(parseQuery(q));
/** Segments written as text with [brackets] around matches. */
const show = (segments: Segment[]) => segments.map((s) => (s.match ? `[${s.text}]` : s.text)).join('');

test('words match by stem, case and accents aside; stop words of the query do not', () => {
  assert.equal(
    show(highlight('Diffusion Models for Video Generation', m('the diffusion model'))),
    '[Diffusion Models] for Video Generation',
  );
  assert.equal(
    show(highlight('Transformers transform; TRANSFORMING data', m('transformer'))),
    '[Transformers transform]; [TRANSFORMING] data',
  );
  assert.equal(show(highlight('Café crème and cafe', m('cafe'))), '[Café] crème and [cafe]');
  assert.equal(show(highlight('Nothing here', m('diffusion'))), 'Nothing here');
});

test('prefixes match the start of words, unstemmed', () => {
  assert.equal(
    show(highlight('Transfer and transformers, not a trans', m('transf*'))),
    '[Transfer] and [transformers], not a trans',
  );
});

test('a phrase lights up as a whole, stop words included; its other words alone still match', () => {
  const matcher = m('"theory of mind"');
  assert.equal(
    show(highlight('A theory of mind test; one theory, of course', matcher)),
    'A [theory of mind] test; one [theory], of course',
  );
  assert.equal(show(highlight('Theory-of-mind benchmarks', matcher)), '[Theory-of-mind] benchmarks');
});

test('segments keep every character of the text, hostile text included', () => {
  const text = '<script>alert("x")</script> & 🚀 script';
  const segments = highlight(text, m('script'));
  assert.equal(segments.map((s) => s.text).join(''), text);
  assert.deepEqual(
    segments.filter((s) => s.match).map((s) => s.text),
    ['script', 'script', 'script'],
  );
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

/** Sorted, separate ranges as `matchRanges` returns them, `count` of them, at pseudo-random gaps. */
function someRanges(count: number, seed: number): [number, number][] {
  const ranges: [number, number][] = [];
  let at = 0;
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    at += 1 + (state % 97);
    const end = at + 1 + (state % 13);
    ranges.push([at, end]);
    at = end;
  }
  return ranges;
}

/** The ranges behind a proxy that counts how often an element is read. */
function counted(ranges: [number, number][]): { ranges: [number, number][]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(ranges, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { ranges: proxy, reads: () => reads };
}

test('the densest window is found in one pass over the matches, not one pass per match', () => {
  const reads = [2_000, 8_000].map((n) => {
    const { ranges, reads } = counted(someRanges(n, 7));
    densestWindow(ranges, 300, 60);
    return reads();
  });
  const [small, large] = reads as [number, number];
  assert.ok(small <= 10 * 2_000, `${small} reads of 2,000 ranges`);
  assert.ok(large <= 4.2 * small, `4 times the matches cost ${(large / small).toFixed(1)} times the reads`);
});

test('the densest window is the one a count of every window finds, the earliest among equals', () => {
  const bruteForce = (ranges: [number, number][], width: number, lead: number) => {
    let best = 0;
    let bestCount = -1;
    for (const candidate of [0, ...ranges.map(([s]) => Math.max(0, s - lead))]) {
      const count = ranges.filter(([s, e]) => s >= candidate && e <= candidate + width).length;
      if (count > bestCount) [best, bestCount] = [candidate, count];
    }
    return best;
  };
  for (let seed = 1; seed <= 200; seed++) {
    const ranges = someRanges(seed % 40, seed);
    for (const [width, lead] of [
      [300, 60],
      [50, 10],
      [5, 0],
      [1000, 400],
    ] as const) {
      assert.equal(densestWindow(ranges, width, lead), bruteForce(ranges, width, lead), `seed ${seed}, width ${width}`);
    }
  }
  assert.equal(densestWindow([], 300, 60), 0);
});

/** The matcher with its set of terms counting look-ups: one per analyzed term of the text read. */
function countingMatcher(matcher: Matcher): { matcher: Matcher; lookups: () => number } {
  let lookups = 0;
  const terms = new Proxy(new Set(matcher.terms), {
    get(target, property) {
      if (property === 'has')
        return (term: string) => {
          lookups++;
          return target.has(term);
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { matcher: { ...matcher, terms }, lookups: () => lookups };
}

test('the work of a snippet is bounded: a 4 MB abstract costs what a 1 MB one does, and the snippet stays short', () => {
  const results = [1, 4].map((megabytes) => {
    const sentence = 'The quokka and the other quokka met a quokka. ';
    const filler = 'Then the marsupials went on with what they were doing in the afternoon. '.repeat(20);
    const text = `${sentence}${filler}`.repeat(Math.ceil((megabytes * 1_048_576) / (sentence.length + filler.length)));
    const { matcher, lookups } = countingMatcher(m('quokka'));
    const segments = snippet(text, matcher);
    return { lookups: lookups(), segments };
  });
  const [one, four] = results as [(typeof results)[0], (typeof results)[0]];
  assert.ok(one.lookups > 0);
  assert.equal(four.lookups, one.lookups);
  assert.ok(one.lookups <= 64 * 1024, `${one.lookups} look-ups`);
  for (const { segments } of results) {
    const text = show(segments);
    assert.ok(text.startsWith('The [quokka] and the other [quokka] met a [quokka].'), text.slice(0, 80));
    assert.ok(text.endsWith('…'));
    assert.ok(segments.map((s) => s.text).join('').length <= 301);
  }
});

test('a title longer than what is searched for matches is shown whole, its matches marked as far as they are read', () => {
  const title = `Quokka ${'word '.repeat(40_000)}quokka`;
  const segments = highlight(title, m('quokka'));
  assert.equal(segments.map((s) => s.text).join(''), title);
  assert.deepEqual(
    segments.filter((s) => s.match).map((s) => s.text),
    ['Quokka'],
  );
});
