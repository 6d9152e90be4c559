import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyErrorLine, copyText } from './copy-text.ts';

test('COPY text rows: tabs between fields, NULL as \\N, and the four special characters escaped', () => {
  assert.equal(
    copyText([
      ['a\tb', null, 3, true, false],
      ['line\nbreak\r', 'back\\slash', '', 'é ∑'],
    ]),
    'a\\tb\t\\N\t3\tt\tf\nline\\nbreak\\r\tback\\\\slash\t\té ∑\n',
  );
  assert.equal(copyText([]), '');
});

test('a tsvector literal with a quoted backslash keeps both levels of escaping', () => {
  // The lexeme a\b is written 'a\\b' in a tsvector literal; COPY then doubles each backslash again.
  assert.equal(copyText([["'a\\\\b':1A"]]), "'a\\\\\\\\b':1A\n");
});

test('the line of a COPY error, from its context; none for other errors', () => {
  assert.equal(copyErrorLine({ where: 'COPY import_papers, line 3, column published_at: null input' }), 3);
  assert.equal(copyErrorLine({ where: 'COPY papers, line 12: "2101.00001\tTitle"' }), 12);
  assert.equal(copyErrorLine({ where: 'SQL statement "INSERT INTO papers"' }), null);
  assert.equal(copyErrorLine(new Error('no context')), null);
  assert.equal(copyErrorLine(null), null);
});
