/**
 * Paper vectors in the embedded store. Each embedding model has its own sqlite-vec table (vectors of two
 * models never mix); searches run on an in-memory copy with binary pre-selection (see BinaryQuantizedIndex),
 * loaded from that table on first use and kept in step with every write. That copy is this backend's vector
 * index, as pgvector's HNSW is PostgreSQL's: it lives here because only the store sees the vectors it writes
 * (vectors have no write sequence that a reader elsewhere could catch up by).
 */
import { BinaryQuantizedIndex } from './binary-index.ts';
import type { SqliteDatabase } from './database.ts';

interface Model {
  table: string;
  dimensions: number;
}

const blob = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export class VectorSearch {
  readonly #db: SqliteDatabase;
  readonly #indexes = new Map<string, BinaryQuantizedIndex>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  #model(modelId: string): Model | null {
    const row = this.#db.sql('SELECT number, dimensions FROM embedding_models WHERE id = ?').get(modelId);
    return row ? { table: `paper_vectors_${Number(row.number)}`, dimensions: Number(row.dimensions) } : null;
  }

  #createModel(modelId: string, dimensions: number): Model {
    const number = Number(this.#db.sql('SELECT coalesce(max(number), 0) + 1 AS n FROM embedding_models').get()!.n);
    this.#db
      .sql('INSERT INTO embedding_models (id, number, dimensions, created_at) VALUES (?, ?, ?, ?)')
      .run(modelId, number, dimensions, new Date().toISOString());
    const table = `paper_vectors_${number}`;
    this.#db.raw.exec(
      `CREATE VIRTUAL TABLE ${table} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`,
    );
    return { table, dimensions };
  }

  put(modelId: string, dimensions: number, vectors: readonly { id: string; vector: Float32Array }[]): void {
    this.#db.transaction(() => {
      const model = this.#model(modelId) ?? this.#createModel(modelId, dimensions);
      if (model.dimensions !== dimensions)
        throw new Error(`model ${modelId} has ${model.dimensions} dimensions, not ${dimensions}`);
      const index = this.#indexes.get(modelId);
      for (const { id, vector } of vectors) {
        if (vector.length !== dimensions)
          throw new Error(`vector of ${id} has ${vector.length} dimensions, not ${dimensions}`);
        const row = this.#db.sql('SELECT rowid FROM papers WHERE id = ?').get(id);
        if (!row) continue;
        const rowid = BigInt(Number(row.rowid));
        this.#db.sql(`DELETE FROM ${model.table} WHERE rowid = ?`).run(rowid);
        this.#db.sql(`INSERT INTO ${model.table} (rowid, embedding) VALUES (?, ?)`).run(rowid, blob(vector));
        index?.set(Number(rowid), vector);
      }
    });
  }

  withoutVector(modelId: string, limit: number): { id: string; title: string; summary: string }[] {
    const model = this.#model(modelId);
    const sql = model
      ? `SELECT p.id, p.title, p.summary FROM papers p WHERE NOT EXISTS (SELECT 1 FROM ${model.table} v WHERE v.rowid = p.rowid)
         ORDER BY p.rowid LIMIT ?`
      : 'SELECT p.id, p.title, p.summary FROM papers p ORDER BY p.rowid LIMIT ?';
    return this.#db
      .sql(sql)
      .all(limit)
      .map((r) => ({ id: String(r.id), title: String(r.title), summary: String(r.summary) }));
  }

  count(modelId: string): number {
    const model = this.#model(modelId);
    return model ? Number(this.#db.sql(`SELECT count(*) AS n FROM ${model.table}`).get()!.n) : 0;
  }

  /** The in-memory copy of a model's vectors, loaded on first use. */
  index(modelId: string): BinaryQuantizedIndex | null {
    let index = this.#indexes.get(modelId);
    if (index) return index;
    const model = this.#model(modelId);
    if (!model) return null;
    // Sized for the rows there are: growing by doubling from a small start left up to half the slots unused.
    index = new BinaryQuantizedIndex(model.dimensions, Math.max(1024, this.count(modelId) + 1024));
    for (const row of this.#db.sql(`SELECT rowid, embedding FROM ${model.table}`).iterate()) {
      const bytes = row.embedding as Uint8Array;
      index.set(
        Number(row.rowid),
        new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      );
    }
    this.#indexes.set(modelId, index);
    return index;
  }

  /** The stored (float32) vectors of these rows: the exact rescoring of the in-memory int8 search. */
  vectors(modelId: string, rowids: readonly number[]): Map<number, Float32Array> {
    const model = this.#model(modelId);
    const vectors = new Map<number, Float32Array>();
    if (!model) return vectors;
    const read = this.#db.sql(`SELECT embedding FROM ${model.table} WHERE rowid = ?`);
    for (const rowid of rowids) {
      const bytes = read.get(BigInt(rowid))?.embedding as Uint8Array | undefined;
      if (bytes)
        vectors.set(rowid, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
    return vectors;
  }

  rowidOf(id: string): number | null {
    const row = this.#db.sql('SELECT rowid FROM papers WHERE id = ?').get(id);
    return row ? Number(row.rowid) : null;
  }

  idsOf(rowids: readonly number[]): Map<number, string> {
    const rows = this.#db
      .sql('SELECT p.rowid, p.id FROM json_each(?) j JOIN papers p ON p.rowid = j.value')
      .all(JSON.stringify(rowids));
    return new Map(rows.map((r) => [Number(r.rowid), String(r.id)]));
  }
}
