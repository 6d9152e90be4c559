import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptWeight, prefersMarkdown } from './accept.ts';

test('prefersMarkdown: only when text/markdown outweighs text/html', () => {
  assert.equal(prefersMarkdown(undefined), false);
  assert.equal(prefersMarkdown('text/markdown'), true);
  assert.equal(prefersMarkdown('text/markdown, text/html;q=0.9'), true);
  assert.equal(prefersMarkdown('text/markdown;q=0.5, text/html'), false);
  assert.equal(prefersMarkdown('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), false);
  assert.equal(prefersMarkdown('*/*'), false);
  assert.equal(prefersMarkdown('text/markdown;q=0'), false);
  assert.equal(prefersMarkdown('text/markdown, */*;q=0.1'), true);
});

test('acceptWeight: exact entry, then type/*, then */*', () => {
  assert.equal(acceptWeight('text/*;q=0.3, */*;q=0.1', 'text/html'), 0.3);
  assert.equal(acceptWeight('*/*;q=0.1', 'text/html'), 0.1);
  assert.equal(acceptWeight('text/html;q=0.7, text/*;q=0.3', 'text/html'), 0.7);
  assert.equal(acceptWeight('application/json', 'text/html'), 0);
});
