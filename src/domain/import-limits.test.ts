import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAPER_LIMITS, entryOverLimits, paperOverLimits } from './import-limits.ts';
import type { DailyEntryInput, PaperInput } from './types.ts';

const paper = (overrides: Partial<PaperInput> = {}): PaperInput => ({
  id: '2401.00001',
  title: 'A title',
  summary: 'An abstract.',
  publishedAt: '2024-01-01T00:00:00.000Z',
  authors: [{ name: 'Ada Lovelace', externalId: null, hidden: false }],
  ...overrides,
});

test('limits are exact, in UTF-8 bytes: at the limit passes, one byte over does not', () => {
  assert.equal(paperOverLimits(paper({ title: 'x'.repeat(PAPER_LIMITS.titleBytes) })), null);
  assert.equal(
    paperOverLimits(paper({ title: 'x'.repeat(PAPER_LIMITS.titleBytes + 1) })),
    'title is 1025 bytes, more than the 1024 allowed',
  );
  // 'é' is two bytes: 513 of them are 1,026 bytes though only 513 characters.
  assert.equal(paperOverLimits(paper({ title: 'é'.repeat(513) })), 'title is 1026 bytes, more than the 1024 allowed');
  assert.equal(paperOverLimits(paper({ summary: 'a'.repeat(PAPER_LIMITS.abstractBytes) })), null);
  assert.equal(
    paperOverLimits(paper({ summary: 'a'.repeat(PAPER_LIMITS.abstractBytes + 1) })),
    'abstract is 65537 bytes, more than the 65536 allowed',
  );
});

test('lists have a length limit and each of their texts a size limit', () => {
  const author = (name: string) => ({ name, externalId: null, hidden: false });
  assert.equal(
    paperOverLimits(paper({ authors: Array.from({ length: PAPER_LIMITS.authors }, (_, i) => author(`A${i}`)) })),
    null,
  );
  assert.equal(
    paperOverLimits(paper({ authors: Array.from({ length: PAPER_LIMITS.authors + 1 }, (_, i) => author(`A${i}`)) })),
    '10001 authors, more than the 10000 allowed',
  );
  assert.equal(
    paperOverLimits(paper({ authors: [author('A'), author('n'.repeat(2000))] })),
    "author 2's name is 2000 bytes, more than the 1024 allowed",
  );
  assert.equal(
    paperOverLimits(paper({ categories: Array.from({ length: 101 }, () => 'cs.CL') })),
    '101 categories, more than the 100 allowed',
  );
  assert.equal(
    paperOverLimits(paper({ aiKeywords: ['k'.repeat(1025)] })),
    'an AI keyword is 1025 bytes, more than the 1024 allowed',
  );
  assert.equal(
    paperOverLimits(paper({ aiSummary: 's'.repeat(16 * 1024 + 1) })),
    'AI summary is 16385 bytes, more than the 16384 allowed',
  );
  assert.equal(
    paperOverLimits(
      paper({ organization: { name: 'org', fullname: 'f'.repeat(1025), avatar: null, externalId: null } }),
    ),
    'organization full name is 1025 bytes, more than the 1024 allowed',
  );
  assert.equal(
    paperOverLimits(paper({ githubRepo: `https://github.com/${'r'.repeat(1010)}` })),
    'GitHub repository is 1029 bytes, more than the 1024 allowed',
  );
});

test("a feed entry's submitter and thumbnail are limited too", () => {
  const entry: DailyEntryInput = {
    day: '2024-01-01',
    paperId: '2401.00001',
    position: 0,
    submittedAt: '2024-01-01T00:00:00.000Z',
    submittedBy: { name: 'ada', fullname: 'Ada', avatarUrl: null, externalId: null },
    listedPublishedAt: '2024-01-01T00:00:00.000Z',
    thumbnail: null,
    isAuthorParticipating: false,
  };
  assert.equal(entryOverLimits(entry), null);
  assert.equal(
    entryOverLimits({ ...entry, thumbnail: 't'.repeat(1025) }),
    'thumbnail is 1025 bytes, more than the 1024 allowed',
  );
  assert.equal(
    entryOverLimits({ ...entry, submittedBy: { ...entry.submittedBy!, fullname: 'x'.repeat(5000) } }),
    'submitter full name is 5000 bytes, more than the 1024 allowed',
  );
});
