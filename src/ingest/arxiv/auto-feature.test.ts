import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAutoFeatureRules } from '../../config.ts';
import { isNewSubmission, matchingRule, type FeatureCandidate } from './auto-feature.ts';

function candidate(
  overrides: Partial<FeatureCandidate['paper']> = {},
  extra: Partial<FeatureCandidate> = {},
): FeatureCandidate {
  return {
    paper: {
      id: '2606.00001',
      title: 'A paper',
      summary: 'An abstract.',
      publishedAt: '2026-06-09T00:00:00.000Z',
      authors: [],
      categories: ['math.CO'],
      ...overrides,
    },
    organization: null,
    affiliations: [],
    ...extra,
  };
}

test('rules are JSON with categories, organizations, keywords; anything else is refused clearly', () => {
  assert.deepEqual(parseAutoFeatureRules('{"categories":["cs.CL"]}'), {
    categories: ['cs.CL'],
    organizations: [],
    keywords: [],
    maxAgeDays: 7,
  });
  assert.throws(() => parseAutoFeatureRules('{categories:1}'), /not valid JSON/);
  assert.throws(() => parseAutoFeatureRules('{"categorys":["cs.CL"]}'), /Unrecognized key/);
  assert.throws(() => parseAutoFeatureRules('{"keywords":"retrieval"}'), /keywords/);
});

test('categories match exactly or by archive', () => {
  const rules = parseAutoFeatureRules('{"categories":["cs.CL","stat.*","q-bio"]}');
  assert.equal(matchingRule(rules, candidate({ categories: ['cs.LG', 'cs.CL'] })), 'category cs.CL');
  assert.equal(matchingRule(rules, candidate({ categories: ['cs.CLX'] })), null);
  assert.equal(matchingRule(rules, candidate({ categories: ['stat.ML'] })), 'category stat.*');
  assert.equal(matchingRule(rules, candidate({ categories: ['q-bio.NC'] })), 'category q-bio');
});

test('keywords match whole words in title or abstract, ignoring case', () => {
  const rules = parseAutoFeatureRules('{"keywords":["retrieval","language model"]}');
  assert.equal(matchingRule(rules, candidate({ title: 'Retrieval-Augmented Generation' })), 'keyword retrieval');
  assert.equal(
    matchingRule(rules, candidate({ summary: 'We train a large Language\nModel.' })),
    'keyword language model',
  );
  assert.equal(matchingRule(rules, candidate({ title: 'Retrievals considered' })), null);
});

test('organizations match the stored organization or an author affiliation', () => {
  const rules = parseAutoFeatureRules('{"organizations":["google","Ohio State"]}');
  assert.equal(
    matchingRule(rules, candidate({}, { organization: { name: 'google', fullname: 'Google' } })),
    'organization google',
  );
  assert.equal(
    matchingRule(rules, candidate({}, { affiliations: ['Google DeepMind, London'] })),
    'organization google',
  );
  assert.equal(
    matchingRule(rules, candidate({}, { affiliations: ['The Ohio State University'] })),
    'organization Ohio State',
  );
  assert.equal(matchingRule(rules, candidate({}, { affiliations: ['Googleplex Inc'] })), null);
});

test('a new submission is one whose first version is at most maxAgeDays before the feed day', () => {
  const paper = candidate().paper;
  assert.equal(isNewSubmission(paper, '2026-06-10', 7), true);
  assert.equal(isNewSubmission({ ...paper, publishedAt: '2026-06-02T00:00:00.000Z' }, '2026-06-10', 7), false);
  assert.equal(isNewSubmission({ ...paper, publishedAt: '2026-06-03T00:00:00.000Z' }, '2026-06-10', 7), true);
});
