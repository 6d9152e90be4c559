/**
 * What search/'s in-memory lexical index (search/lexical/lexical-search.ts) reads from a store: papers' text
 * by document number, the papers written since a write sequence, and the sets that filters and moderation
 * allow. Documents are numbered by the store (SQLite's rowid, PostgreSQL's row_id). The index itself, and
 * how it keeps up with writes, belong to search/.
 */
import type { SearchFilters } from './search-types.ts';

/** A paper as the index reads it: its document number, id and raw text (author names joined by spaces). */
export interface IndexedText {
  doc: number;
  id: string;
  title: string;
  authors: string;
  summary: string;
}

/** A paper's text with the write sequence of its last write (papers.write_seq). */
export interface WrittenText extends IndexedText {
  writeSeq: number;
}

/** The latest write sequence, and the data version (see CoreStore.dataVersion) it was read with. */
export interface WriteMark {
  writeSeq: number;
  dataVersion: string;
}

export interface IndexSource {
  /** Up to `limit` papers with a document number above `afterDoc`, in increasing document order. */
  page(afterDoc: number, limit: number): Promise<IndexedText[]>;
  /** The current text of these papers (any that no longer exist are left out). */
  texts(docs: readonly number[]): Promise<IndexedText[]>;
  /** The papers with these ids (any that do not exist are left out): each one's id by its document number. */
  docsOf(ids: readonly string[]): Promise<Map<number, string>>;
  /** Where catching up starts: read before an index is built, so that the build and later writes cover everything. */
  writeMark(): Promise<WriteMark>;
  /** Up to `limit` papers written (by any process) after write sequence `afterSeq`, in write order. */
  writtenSince(afterSeq: number, limit: number): Promise<WrittenText[]>;
  /** The documents that pass the filters, or null when there is no filter. */
  allowed(filters: SearchFilters): Promise<Set<number> | null>;
  /** Papers moderators hid: never a search result (a handful of rows, read through a partial index). */
  hidden(): Promise<Set<number>>;
  /**
   * The lexical index saved last by saveIndex (opaque bytes: search/lexical/index-file.ts reads them), or null
   * when there is none or the store keeps none (an in-memory database).
   */
  loadIndex(): Promise<Uint8Array | null>;
  /**
   * Replaces the saved lexical index with these bytes (in order), whole or not at all: an interrupted save
   * leaves the previous one, and a reader sees one or the other, never a mix.
   */
  saveIndex(parts: readonly Uint8Array[]): Promise<void>;
}

export const authorNames = (authors: readonly { name: string }[]) => authors.map((a) => a.name).join(' ');
