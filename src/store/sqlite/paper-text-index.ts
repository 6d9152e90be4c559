/** Keeps the full-text index of one paper in step with its row (terms analysed in TypeScript). */
import { indexText } from '../../search/analyzer.ts';
import type { SqliteDatabase } from './database.ts';

export interface IndexedText {
  title: string;
  authors: { name: string }[];
  summary: string;
}

export function indexPaperText(db: SqliteDatabase, rowid: number, paper: IndexedText): void {
  db.sql('INSERT OR REPLACE INTO papers_fts (rowid, title, authors, abstract) VALUES (?, ?, ?, ?)')
    .run(rowid, indexText(paper.title), indexText(paper.authors.map((a) => a.name).join(' ')), indexText(paper.summary));
}
