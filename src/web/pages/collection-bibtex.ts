/**
 * A collection as BibTeX: one @misc entry per paper (the form arXiv itself suggests), keyed arxiv:ID.
 * Text is escaped for BibTeX/LaTeX (\ { } $ & % # _ ~ ^), put on one line, and titles are double-braced so
 * that their capitals survive the bibliography style.
 */
import type { Paper } from '../../domain/types.ts';
import type { Collection } from '../../store/collection-store.ts';
import { arxivAbsUrl } from '../../domain/urls.ts';

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

/** One line, no control characters. */
function oneLine(text: string): string {
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

export function bibtexEntry(paper: Paper): string {
  const published = paper.publishedAt.slice(0, 10);
  const fields: [string, string][] = [['title', `{${escapeBibtex(paper.title)}}`]];
  if (paper.authors.length > 0) fields.push(['author', paper.authors.map((a) => escapeBibtex(a.name)).join(' and ')]);
  fields.push(['year', published.slice(0, 4)]);
  const month = MONTHS[Number(published.slice(5, 7)) - 1];
  fields.push(['eprint', paper.id], ['archivePrefix', 'arXiv']);
  if (paper.categories[0]) fields.push(['primaryClass', escapeBibtex(paper.categories[0])]);
  fields.push(['url', arxivAbsUrl(paper.id)]);
  const lines = fields.map(([name, value]) => `  ${name} = {${value}}`);
  if (month) lines.splice(3, 0, `  month = ${month}`);
  return `@misc{${bibtexKey(paper.id)},\n${lines.join(',\n')}\n}\n`;
}

export function collectionBibtex(collection: Collection, papers: Paper[], pageUrl: string): string {
  // In BibTeX, text outside entries is a comment, except that @ starts an entry: comments have none.
  const comment = (text: string) => oneLine(text).replace(/@/g, '(at)');
  const head = [
    `% ${comment(collection.name)} (${papers.length} ${papers.length === 1 ? 'paper' : 'papers'}), a collection by ${comment(collection.ownerName)}`,
    `% ${pageUrl}`,
    `% Exported from Paperboy on ${new Date().toISOString().slice(0, 10)}`,
  ];
  return `${head.join('\n')}\n\n${papers.map(bibtexEntry).join('\n')}`;
}
