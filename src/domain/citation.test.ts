import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from './types.ts';
import { bibtexAuthor, bibtexEntry, nameParts, plainCitation } from './citation.ts';

function paper(fields: Partial<Paper> = {}): Paper {
  return {
    id: '1706.03762',
    title: 'Attention Is All You Need',
    summary: '',
    publishedAt: '2017-06-12T17:57:34.000Z',
    authors: [{ name: 'Ashish Vaswani' }, { name: 'Noam Shazeer' }].map((a) => ({
      ...a,
      externalId: null,
      hidden: false,
    })),
    categories: ['cs.CL', 'cs.LG'],
    organization: null,
    githubRepo: null,
    githubStars: null,
    projectPage: null,
    aiSummary: null,
    aiKeywords: [],
    generatedSummary: null,
    withdrawn: false,
    upvotes: 0,
    numComments: 0,
    hfComments: 0,
    discussionId: null,
    submittedOnDailyAt: null,
    submittedOnDailyBy: null,
    ...fields,
  };
}

const authors = (...names: string[]) => names.map((name) => ({ name, externalId: null, hidden: false }));

test('the BibTeX entry has the fields arXiv gives, authors "Last, First" joined by and', () => {
  assert.equal(
    bibtexEntry(paper()),
    `@misc{arxiv:1706.03762,
  title = {{Attention Is All You Need}},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  month = jun,
  eprint = {1706.03762},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
  url = {https://arxiv.org/abs/1706.03762}
}
`,
  );
  const old = bibtexEntry(paper({ id: 'hep-th/9901001', authors: [], categories: [] }));
  assert.match(old, /^@misc\{arxiv:hep-th-9901001,$/m, 'an old-style id makes a key without a slash');
  assert.match(old, /^ {2}eprint = \{hep-th\/9901001\},$/m);
  assert.doesNotMatch(old, /author|primaryClass/, 'fields without data are left out');
});

test('names split as BibTeX reads them: particles, suffixes, one-word names, names given inverted', () => {
  assert.deepEqual(nameParts('Ada M. Lovelace'), { first: 'Ada M.', last: 'Lovelace', suffix: '' });
  assert.deepEqual(nameParts('Ludwig van Beethoven'), { first: 'Ludwig', last: 'van Beethoven', suffix: '' });
  assert.deepEqual(nameParts('Martin Luther King Jr.'), { first: 'Martin Luther', last: 'King', suffix: 'Jr.' });
  assert.deepEqual(nameParts('Plato'), { first: '', last: 'Plato', suffix: '' });
  assert.deepEqual(nameParts('Curie, Marie'), { first: 'Marie', last: 'Curie', suffix: '' });
  assert.equal(bibtexAuthor('Jean-Pierre de la Fontaine'), 'de la Fontaine, Jean-Pierre');
  assert.equal(bibtexAuthor('Big Science and Friends'), '{Big Science and Friends}', 'a word "and" splits nothing');
  assert.equal(bibtexAuthor('Zoë Ö_Brien'), 'Ö\\_Brien, Zoë', 'letters kept, specials escaped');
});

test('hostile titles and names cannot break out of their fields', () => {
  const entry = bibtexEntry(
    paper({
      title: 'Closing } braces, @misc{evil, and \\input{/etc/passwd} 100% $x$ #1 ~ ^',
      authors: authors('A} and {B', 'C\nD'),
    }),
  );
  const title = /^ {2}title = \{\{(.*)\}\},$/m.exec(entry)![1]!;
  assert.doesNotMatch(title.replace(/\\[{}$&%#_]|\\text[a-z]+\{\}/g, ''), /[{}$&%#_~^\\]/);
  assert.match(entry, /^ {2}author = \{\{A\\\} and \\\{B\} and D, C\},$/m);
  assert.equal(entry.split('\n').length, 11, 'one line per field: a line break in a name is a space');
});

test('the plain-text reference: family names and initials, year, title, arXiv id and address', () => {
  assert.equal(
    plainCitation(paper({ authors: authors('Ashish Vaswani', 'Noam Shazeer', 'Jean-Pierre Serre') })),
    'Vaswani, A., Shazeer, N., & Serre, J.-P. (2017). Attention Is All You Need. arXiv:1706.03762 [cs.CL]. https://arxiv.org/abs/1706.03762',
  );
  assert.equal(
    plainCitation(paper({ authors: authors('Plato'), title: 'Is It?', categories: [] })),
    'Plato (2017). Is It? arXiv:1706.03762. https://arxiv.org/abs/1706.03762',
  );
  const many = plainCitation(paper({ authors: authors(...Array.from({ length: 25 }, (_, i) => `Ann Author${i}`)) }));
  assert.match(many, /Author18, A\., … Author24, A\. \(2017\)/, 'after 19 names, an ellipsis and the last one');
  assert.doesNotMatch(many, /Author19/);
  assert.equal(plainCitation(paper({ authors: [] })).startsWith('(2017).'), true);
});
