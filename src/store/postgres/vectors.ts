/**
 * Paper vectors in PostgreSQL with pgvector: one table per embedding model (vectors of two models never
 * mix), made on the model's first vectors, with an HNSW index on cosine distance. The extension is needed
 * only once a model has vectors: a server without pgvector runs everything else, and says so clearly when
 * asked to store vectors.
 */
import type { ScoredPaper, SearchFilters } from '../store.ts';
import type { Queryable, Runner } from './runner.ts';
import { versioned } from './migrations.ts';
import { Params, filterConditions } from './sql-params.ts';

export class VectorsUnavailableError extends Error {}

interface Model {
  table: string;
  dimensions: number;
}

/** pgvector's HNSW index takes vectors of up to this many dimensions. */
const HNSW_MAX_DIMENSIONS = 2_000;

export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

export function parseVector(text: string): Float32Array {
  const inner = text.trim().replace(/^\[|\]$/g, '');
  return Float32Array.from(inner === '' ? [] : inner.split(',').map(Number));
}

export class PgVectors {
  readonly #db: Runner;
  readonly #models = new Map<string, Model>();
  #iterativeScan: boolean | null = null;

  constructor(db: Runner) {
    this.#db = db;
  }

  async #model(modelId: string, q: Queryable = this.#db): Promise<Model | null> {
    const known = this.#models.get(modelId);
    if (known) return known;
    const [row] = await q.query<{ number: number; dimensions: number }>(
      'SELECT number, dimensions FROM embedding_models WHERE id = $1',
      [modelId],
    );
    if (!row) return null;
    const model = { table: `paper_vectors_${Number(row.number)}`, dimensions: Number(row.dimensions) };
    this.#models.set(modelId, model);
    return model;
  }

  /** Makes sure pgvector is installed in the database, or explains that it is missing. */
  async #ensureExtension(): Promise<void> {
    const [row] = await this.#db.query<{ version: string }>(
      `SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`,
    );
    if (row) return;
    try {
      await this.#db.exec('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (error) {
      throw new VectorsUnavailableError(
        `storing vectors needs the pgvector extension, and this PostgreSQL server does not have it ` +
          `(CREATE EXTENSION vector: ${(error as Error).message}); install pgvector, or run with SEMANTIC_SEARCH=0`,
      );
    }
  }

  async put(
    modelId: string,
    dimensions: number,
    vectors: readonly { id: string; vector: Float32Array }[],
  ): Promise<void> {
    for (const { id, vector } of vectors) {
      if (vector.length !== dimensions)
        throw new Error(`vector of ${id} has ${vector.length} dimensions, not ${dimensions}`);
    }
    if (!(await this.#model(modelId))) await this.#ensureExtension();
    // The last vector of a paper wins, as if they were written one by one.
    const byId = new Map(vectors.map(({ id, vector }) => [id, vectorLiteral(vector)]));
    await this.#db
      .transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':paperboy-vectors'))`);
        const model = (await this.#model(modelId, tx)) ?? (await this.#createModel(tx, modelId, dimensions));
        if (model.dimensions !== dimensions)
          throw new Error(`model ${modelId} has ${model.dimensions} dimensions, not ${dimensions}`);
        if (byId.size === 0) return;
        await tx.query(
          `
        INSERT INTO ${model.table} (paper_id, embedding)
        SELECT v.id, v.embedding::vector FROM unnest($1::text[], $2::text[]) AS v(id, embedding) JOIN papers p ON p.id = v.id
        ON CONFLICT (paper_id) DO UPDATE SET embedding = excluded.embedding`,
          [[...byId.keys()], [...byId.values()]],
        );
      })
      .catch((error: unknown) => {
        // A model made in a rolled-back transaction does not exist.
        this.#models.delete(modelId);
        throw error;
      });
  }

  async #createModel(tx: Queryable, modelId: string, dimensions: number): Promise<Model> {
    const [row] = await tx.query<{ n: number }>('SELECT coalesce(max(number), 0) + 1 AS n FROM embedding_models');
    const number = Number(row!.n);
    await tx.query('INSERT INTO embedding_models (id, number, dimensions, created_at) VALUES ($1, $2, $3, $4)', [
      modelId,
      number,
      dimensions,
      new Date().toISOString(),
    ]);
    const table = `paper_vectors_${number}`;
    await tx.exec(`
      CREATE TABLE ${table} (
        paper_id text COLLATE "C" PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        embedding vector(${dimensions}) NOT NULL
      );
      ${dimensions <= HNSW_MAX_DIMENSIONS ? `CREATE INDEX ${table}_hnsw ON ${table} USING hnsw (embedding vector_cosine_ops);` : ''}
      ${versioned(table)}`);
    const model = { table, dimensions };
    this.#models.set(modelId, model);
    return model;
  }

  async withoutVector(modelId: string, limit: number): Promise<{ id: string; title: string; summary: string }[]> {
    const model = await this.#model(modelId);
    const sql = model
      ? `SELECT p.id, p.title, p.summary FROM papers p WHERE NOT EXISTS (SELECT 1 FROM ${model.table} v WHERE v.paper_id = p.id)
         ORDER BY p.row_id LIMIT $1`
      : 'SELECT p.id, p.title, p.summary FROM papers p ORDER BY p.row_id LIMIT $1';
    return (await this.#db.query<{ id: string; title: string; summary: string }>(sql, [limit])).map((r) => ({
      id: r.id,
      title: r.title,
      summary: r.summary,
    }));
  }

  async count(modelId: string): Promise<number> {
    const model = await this.#model(modelId);
    if (!model) return 0;
    const [row] = await this.#db.query<{ n: number }>(`SELECT count(*) AS n FROM ${model.table}`);
    return Number(row!.n);
  }

  async get(modelId: string, id: string): Promise<Float32Array | null> {
    const model = await this.#model(modelId);
    if (!model) return null;
    const [row] = await this.#db.query<{ embedding: string }>(
      `SELECT embedding::text AS embedding FROM ${model.table} WHERE paper_id = $1`,
      [id],
    );
    return row ? parseVector(row.embedding) : null;
  }

  async search(modelId: string, vector: Float32Array, limit: number, filters: SearchFilters): Promise<ScoredPaper[]> {
    const model = await this.#model(modelId);
    if (!model || limit <= 0) return [];
    if (vector.length !== model.dimensions)
      throw new Error(`query vector has ${vector.length} dimensions, model ${modelId} has ${model.dimensions}`);
    this.#iterativeScan ??= await this.#supportsIterativeScan();
    const params = new Params();
    const target = params.add(vectorLiteral(vector));
    const filter = filterConditions(filters, params);
    const sql = `
      SELECT v.paper_id AS id, 1 - (v.embedding <=> ${target}::vector) AS score
      FROM ${model.table} v JOIN papers p ON p.id = v.paper_id
      WHERE p.hidden_at IS NULL${filter}
      ORDER BY v.embedding <=> ${target}::vector LIMIT ${params.add(limit)}`;
    const rows = await this.#db.transaction(async (tx) => {
      // A wider beam than the default 40 for large limits; with filters, pgvector ≥ 0.8 keeps scanning the
      // graph until enough rows pass them (without it, filters can leave fewer than `limit` hits).
      await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [
        String(Math.min(1000, Math.max(40, limit * 2))),
      ]);
      if (this.#iterativeScan) await tx.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      return tx.query<{ id: string; score: number }>(sql, params.values);
    });
    // relaxed_order may return neighbours slightly out of order.
    return rows.map((r) => ({ id: r.id, score: Number(r.score) })).sort((a, b) => b.score - a.score);
  }

  async #supportsIterativeScan(): Promise<boolean> {
    const [row] = await this.#db.query<{ version: string }>(
      `SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`,
    );
    if (!row) return false;
    const [major = 0, minor = 0] = row.version.split('.').map(Number);
    return major > 0 || minor >= 8;
  }
}
