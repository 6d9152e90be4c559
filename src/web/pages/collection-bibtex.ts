/**
 * A collection as BibTeX: one @misc entry per paper (domain/citation.ts, the form arXiv itself gives), keyed
 * arxiv:ID, under a comment naming the collection.
 */
import type { Paper } from '../../domain/types.ts';
import type { Collection } from '../../store/collection-store.ts';
import { bibtexEntry, oneLine } from '../../domain/citation.ts';

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
