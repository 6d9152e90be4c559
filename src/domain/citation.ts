/**
 * How a paper is cited: a BibTeX @misc entry (the form arXiv itself gives: eprint, archivePrefix, primaryClass,
 * url) and a plain-text reference. Text is escaped for BibTeX/LaTeX (\ { } $ & % # _ ~ ^) and put on one line;
 * titles are double-braced so that their capitals survive the bibliography style; authors are written
 * "Last, First" and joined with "and", as BibTeX reads them.
 */
import type { Paper } from './types.ts';
import { arxivAbsUrl } from './urls.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '%': '\\%',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv)$/i;
/** Plain-text references list this many authors at most, then "…" and the last one (as APA does). */
const PLAIN_AUTHORS = 20;

/** One line, no control characters. */
export function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001F\u007F]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function escapeBibtex(text: string): string {
  return oneLine(text).replace(/[\\{}$&%#_~^]/g, (c) => SPECIAL[c]!);
}

/** arxiv:2607.12345; old-style ids (hep-th/9901001) with the slash made a hyphen. */
export function bibtexKey(paperId: string): string {
  return `arxiv:${paperId.replace(/[^A-Za-z0-9.:_-]/g, '-')}`;
}

export interface NameParts {
  first: string;
  /** The family name with its particles ("van der Berg"). */
  last: string;
  suffix: string;
}

/**
 * A name as written on arXiv ("Ada M. Lovelace", "Ludwig van Beethoven", "Martin Luther King Jr.") in its parts,
 * by BibTeX's own rule: the family name starts at the first lower-case word after the first word, or is the
 * last word. A name of one word, a group's name (with a word "and") and a name written "Last, First" already
 * keep their family name whole.
 */
export function nameParts(name: string): NameParts {
  const clean = oneLine(name);
  if (clean.includes(',')) {
    const [last = '', ...rest] = clean.split(',').map((part) => part.trim());
    return { last, first: rest.join(', '), suffix: '' };
  }
  const words = clean.split(' ').filter((w) => w !== '');
  // "Big Science and Friends" names a group, not a person: BibTeX would read "and" as the next author.
  if (words.some((w) => w.toLowerCase() === 'and')) return { first: '', last: clean, suffix: '' };
  const suffix = words.length > 2 && SUFFIX.test(words.at(-1)!) ? words.pop()! : '';
  if (words.length < 2) return { first: '', last: words.join(' '), suffix };
  let from = words.findIndex((w, i) => i > 0 && i < words.length - 1 && /^\p{Ll}/u.test(w));
  if (from === -1) from = words.length - 1;
  return { first: words.slice(0, from).join(' '), last: words.slice(from).join(' '), suffix };
}

/** "Last, First" (or "Last, Jr., First"): how BibTeX and Google Scholar's citation_author want names. */
export function invertedName(name: string): string {
  const { first, last, suffix } = nameParts(name);
  return [last, suffix, first].filter((part) => part !== '').join(', ');
}

/** "Last, First" (or "Last, Jr., First") for BibTeX; a group's name with a word "and" is braced whole, so it splits nothing. */
export function bibtexAuthor(name: string): string {
  const text = escapeBibtex(invertedName(name));
  return /(?:^|\s)and(?:\s|$)/i.test(text) ? `{${text}}` : text;
}

export function bibtexEntry(paper: Paper): string {
  const published = paper.publishedAt.slice(0, 10);
  const fields: [string, string][] = [['title', `{${escapeBibtex(paper.title)}}`]];
  if (paper.authors.length > 0) fields.push(['author', paper.authors.map((a) => bibtexAuthor(a.name)).join(' and ')]);
  fields.push(['year', published.slice(0, 4)]);
  const month = MONTHS[Number(published.slice(5, 7)) - 1];
  fields.push(['eprint', paper.id], ['archivePrefix', 'arXiv']);
  if (paper.categories[0]) fields.push(['primaryClass', escapeBibtex(paper.categories[0])]);
  fields.push(['url', arxivAbsUrl(paper.id)]);
  const lines = fields.map(([name, value]) => `  ${name} = {${value}}`);
  if (month) lines.splice(paper.authors.length > 0 ? 3 : 2, 0, `  month = ${month}`);
  return `@misc{${bibtexKey(paper.id)},\n${lines.join(',\n')}\n}\n`;
}

/** "Lovelace, A. M." — the family name and the initials of the given names ("Jean-Pierre" is "J.-P."). */
function plainAuthor(name: string): string {
  const { first, last, suffix } = nameParts(name);
  const initials = first
    .split(' ')
    .filter((w) => w !== '')
    .map((word) =>
      word
        .split('-')
        .map((part) => (part === '' ? '' : `${[...part][0]}.`))
        .join('-'),
    )
    .join(' ');
  return [last, initials, suffix].filter((part) => part !== '').join(', ');
}

/**
 * A plain-text reference, in the manner of APA: "Lovelace, A., & Babbage, C. (2024). Title. arXiv:2401.00001
 * [cs.CL]. https://arxiv.org/abs/2401.00001".
 */
export function plainCitation(paper: Paper): string {
  const names = paper.authors.map((a) => plainAuthor(a.name));
  let authors = '';
  if (names.length > PLAIN_AUTHORS) authors = `${names.slice(0, PLAIN_AUTHORS - 1).join(', ')}, … ${names.at(-1)}`;
  else if (names.length > 1) authors = `${names.slice(0, -1).join(', ')}, & ${names.at(-1)}`;
  else authors = names[0] ?? '';
  const title = oneLine(paper.title);
  const category = paper.categories[0] ? ` [${oneLine(paper.categories[0])}]` : '';
  const parts = [
    `${authors ? `${authors} ` : ''}(${paper.publishedAt.slice(0, 4)}).`,
    `${title}${/[.?!]$/.test(title) ? '' : '.'}`,
    `arXiv:${paper.id}${category}.`,
    arxivAbsUrl(paper.id),
  ];
  return parts.join(' ');
}
