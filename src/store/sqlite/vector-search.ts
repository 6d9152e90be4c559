/**
 * Paper vectors in the embedded store. Each embedding model has its own sqlite-vec table (vectors of two
 * models never mix); searches run on an in-memory copy with binary pre-selection (see BinaryQuantizedIndex).
 * That copy is this backend's vector index, as pgvector's HNSW is PostgreSQL's: it lives here because only the
 * store sees the vectors it writes.
 *
 * Every vector written is also logged with a write sequence (`paper_vector_writes_<number>`: one row per paper,
 * its sequence moved forward when the paper is embedded again). The copy is saved beside the database
 * (`<database>.vectors-<number>`, vector-file.ts) with the sequence it covers; a process loads that file, then
 * takes in the vectors logged since, and does the same before each search, so vectors written by another
 * process show too. A file that is unreadable, of another model or format, ahead of the log, or whose count
 * disagrees with the table after the catch-up is set aside and the copy is read from the table, then saved.
 *
 * The exact (float32) vectors of a search's best hits are read from a plain table beside the sqlite-vec one
 * (`paper_vector_floats_<number>`, one row per vector, written in the same transaction): sqlite-vec keeps its
 * vectors in chunk blobs of 1,024 rows, and a read by rowid walks the blob's overflow pages to its offset (66 reads:
 * ~30 ms at 1M vectors against ~1 ms from the plain table). A model that predates that table gets it filled from
 * the sqlite-vec table once, when its vectors are first loaded or written.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SavedArraysError } from '../saved-arrays.ts';
import { BinaryQuantizedIndex, type IndexOptions } from './binary-index.ts';
import type { SqliteDatabase } from './database.ts';
import { readSavedFile, writeSavedFile } from './saved-file.ts';
import { decodeVectors, encodeVectors } from './vector-file.ts';

interface Model {
  id: string;
  number: number;
  table: string;
  /** The plain table of the same vectors, read by rowid for the exact rescoring. */
  floats: string;
  /** Where writes are logged (see above). */
  log: string;
  dimensions: number;
  createdAt: string;
}

/** A model's in-memory copy and how far it is known to be complete. */
interface Loaded {
  model: Model;
  index: BinaryQuantizedIndex;
  /** Every vector logged up to this sequence is in the copy. */
  coveredSeq: number;
  /** Vectors taken in since the copy was read from or saved to the file. */
  changed: number;
  saving: Promise<void> | null;
  /** Asked to save while a save was under way: saved again after it. */
  saveAgain: boolean;
  /** Whether the copy came from the saved file (rather than the table). */
  fromFile: boolean;
  /** Whether the model's write log exists (not in a read-only database that predates it): catch-ups read it. */
  logged: boolean;
}

/**
 * Vectors written since the copy was loaded or saved are saved again once they exceed this share of it (and at
 * least SAVE_MIN): until then each process that starts takes them in from the table (as the lexical index).
 */
const SAVE_SHARE = 0.01;
const SAVE_MIN = 2_000;
/** Rows read from the table between turns of the event loop (about 20 ms here). */
const TABLE_STEP = 4_096;

const blob = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const floats = (bytes: Uint8Array) =>
  new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

export class VectorSearch {
  readonly #db: SqliteDatabase;
  /** The database file (the saved copies go beside it); null for an in-memory database. */
  readonly #path: string | null;
  readonly #loaded = new Map<string, Loaded>();
  readonly #loading = new Map<string, Promise<Loaded | null>>();
  readonly #options: IndexOptions;
  /** Per model's plain table name: the table its exact vectors are read from (see #exactTable). */
  readonly #exactTables = new Map<string, string>();
  /** Closing: trainings stop at their next step. */
  #stopped = false;

  constructor(db: SqliteDatabase, path: string | null = null, options: IndexOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.#path = path === ':memory:' || path === '' ? null : path;
  }

  /** Where a model's copy is saved, if anywhere. */
  filePath(modelNumber: number): string | null {
    return this.#path ? `${this.#path}.vectors-${modelNumber}` : null;
  }

  #model(modelId: string): Model | null {
    const row = this.#db.sql('SELECT number, dimensions, created_at FROM embedding_models WHERE id = ?').get(modelId);
    if (!row) return null;
    const number = Number(row.number);
    return {
      id: modelId,
      number,
      table: `paper_vectors_${number}`,
      floats: `paper_vector_floats_${number}`,
      log: `paper_vector_writes_${number}`,
      dimensions: Number(row.dimensions),
      createdAt: String(row.created_at),
    };
  }

  #createModel(modelId: string, dimensions: number): Model {
    const number = Number(this.#db.sql('SELECT coalesce(max(number), 0) + 1 AS n FROM embedding_models').get()!.n);
    this.#db
      .sql('INSERT INTO embedding_models (id, number, dimensions, created_at) VALUES (?, ?, ?, ?)')
      .run(modelId, number, dimensions, new Date().toISOString());
    const model = this.#model(modelId)!;
    this.#db.raw.exec(
      `CREATE VIRTUAL TABLE ${model.table} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`,
    );
    return model;
  }

  #hasTable(name: string): boolean {
    return this.#db.sql("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /** Whether a table is there, created in a transaction of its own if not (false in a read-only database). */
  #ensure(name: string, create: () => void): boolean {
    if (this.#hasTable(name)) return true;
    try {
      this.#db.transaction(create);
    } catch {
      // A read-only database: the caller falls back.
    }
    return this.#hasTable(name);
  }

  /** The model's plain table of vectors, made (and filled from the sqlite-vec table) if it is missing. */
  #createFloats(model: Model): void {
    if (this.#hasTable(model.floats)) return;
    this.#db.raw.exec(`CREATE TABLE ${model.floats} (rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
      INSERT INTO ${model.floats} (rowid, embedding) SELECT rowid, embedding FROM ${model.table};`);
  }

  /**
   * Where the model's exact vectors are read: its plain table, made if need be, or the sqlite-vec table in a
   * read-only database without it. Decided once per model, so that a search does not try to write each time.
   */
  #exactTable(model: Model): string {
    let table = this.#exactTables.get(model.floats);
    if (table === undefined) {
      table = this.#ensure(model.floats, () => this.#createFloats(model)) ? model.floats : model.table;
      this.#exactTables.set(model.floats, table);
    }
    return table;
  }

  /**
   * The model's write log, created for a model that predates it (its vectors then count as written before
   * sequence 1). False when it cannot be created (a read-only database): the copy is then read from the table.
   */
  #ensureLog(model: Model): boolean {
    return this.#ensure(model.log, () => this.#createLog(model));
  }

  #createLog(model: Model): void {
    this.#db.raw.exec(`CREATE TABLE IF NOT EXISTS ${model.log} (paper INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS ${model.log}_seq ON ${model.log}(seq);`);
  }

  /** The paper whose latest write is logged at this sequence (null when there is none: 0, or written again). */
  #paperAt(model: Model, seq: number): number | null {
    const row = seq === 0 ? undefined : this.#db.sql(`SELECT paper FROM ${model.log} WHERE seq = ?`).get(seq);
    return row ? Number(row.paper) : null;
  }

  #logSeq(model: Model): number {
    return Number(this.#db.sql(`SELECT coalesce(max(seq), 0) AS n FROM ${model.log}`).get()!.n);
  }

  put(modelId: string, dimensions: number, vectors: readonly { id: string; vector: Float32Array }[]): void {
    const written: { rowid: number; vector: Float32Array }[] = [];
    const { model, before, after } = this.#db.transaction(() => {
      const model = this.#model(modelId) ?? this.#createModel(modelId, dimensions);
      if (model.dimensions !== dimensions)
        throw new Error(`model ${modelId} has ${model.dimensions} dimensions, not ${dimensions}`);
      this.#createLog(model);
      this.#createFloats(model);
      const before = this.#logSeq(model);
      let seq = before;
      for (const { id, vector } of vectors) {
        if (vector.length !== dimensions)
          throw new Error(`vector of ${id} has ${vector.length} dimensions, not ${dimensions}`);
        const row = this.#db.sql('SELECT rowid FROM papers WHERE id = ?').get(id);
        if (!row) continue;
        const rowid = BigInt(Number(row.rowid));
        this.#db.sql(`DELETE FROM ${model.table} WHERE rowid = ?`).run(rowid);
        this.#db.sql(`INSERT INTO ${model.table} (rowid, embedding) VALUES (?, ?)`).run(rowid, blob(vector));
        this.#db
          .sql(
            `INSERT INTO ${model.floats} (rowid, embedding) VALUES (?, ?) ON CONFLICT (rowid) DO UPDATE SET embedding = excluded.embedding`,
          )
          .run(rowid, blob(vector));
        this.#db
          .sql(
            `INSERT INTO ${model.log} (paper, seq) VALUES (?, ?) ON CONFLICT (paper) DO UPDATE SET seq = excluded.seq`,
          )
          .run(rowid, ++seq);
        written.push({ rowid: Number(rowid), vector });
      }
      return { model, before, after: seq };
    });
    // Committed: the copy takes them in (and, when nothing else was logged in between, covers them).
    const loaded = this.#loaded.get(modelId);
    if (!loaded || loaded.model.number !== model.number) return;
    for (const { rowid, vector } of written) loaded.index.set(rowid, vector);
    loaded.changed += written.length;
    if (loaded.coveredSeq === before) loaded.coveredSeq = after;
    this.#keepUp(loaded);
  }

  /**
   * Trains the copy's lists in the background when it wants them (ivf.ts: from IndexOptions.listsFrom vectors,
   * off by default, and again once it holds twice what they were trained on), then saves it; searches use the
   * scan or the old lists until then.
   */
  #trainIfWanted(loaded: Loaded): void {
    if (this.#stopped || !loaded.index.wantsTraining) return;
    loaded.index
      .train(() => this.#stopped)
      .then((done) => {
        if (done && !this.#stopped) this.#save(loaded);
      })
      .catch((error: unknown) => {
        process.emitWarning(
          `the vector lists of model ${loaded.model.number} could not be trained: ${(error as Error).message}`,
        );
      });
  }

  /** Resolves once the trainings under way are done (bench/: searches through the lists from then on). */
  async trained(modelId: string): Promise<void> {
    await this.#loaded.get(modelId)?.index.training;
  }

  /** Stops trainings under way at their next step, and starts none (the database is closing). */
  stop(): void {
    this.#stopped = true;
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
    return model ? this.#rows(model) : 0;
  }

  /**
   * The rows of a model's table. sqlite-vec 0.1 answers count(*) by reading every chunk (94 to 250 ms at 133k
   * vectors here); its rowid table (one row per vector, kept by every insert and delete) answers in a b-tree.
   */
  #rows(model: Model): number {
    const rowids = `${model.table}_rowids`;
    return Number(this.#db.sql(`SELECT count(*) AS n FROM ${this.#hasTable(rowids) ? rowids : model.table}`).get()!.n);
  }

  /**
   * The in-memory copy of a model's vectors, loaded on first use (from the saved file when it is usable, else
   * from the table), and caught up with the vectors logged since (by this process or another).
   */
  async index(modelId: string): Promise<BinaryQuantizedIndex | null> {
    let loaded = this.#loaded.get(modelId);
    if (!loaded) {
      let loading = this.#loading.get(modelId);
      if (!loading) {
        loading = this.#load(modelId).finally(() => this.#loading.delete(modelId));
        this.#loading.set(modelId, loading);
      }
      const result = await loading;
      if (!result) return null;
      loaded = result;
    }
    this.#catchUp(loaded);
    return loaded.index;
  }

  /** Whether the copy in use came from the saved file (null before it is loaded). */
  loadedFromFile(modelId: string): boolean | null {
    return this.#loaded.get(modelId)?.fromFile ?? null;
  }

  /** Resolves once the saves under way (and those queued behind them) are done; null when there are none. */
  saving(): Promise<void> | null {
    const busy = () => [...this.#loaded.values()].some((loaded) => loaded.saving);
    if (!busy()) return null;
    return (async () => {
      for (const loaded of this.#loaded.values()) while (loaded.saving) await loaded.saving;
    })();
  }

  async #load(modelId: string): Promise<Loaded | null> {
    const model = this.#model(modelId);
    if (!model) return null;
    const logged = this.#ensureLog(model);
    this.#exactTable(model);
    const path = logged ? this.filePath(model.number) : null;
    const saved = path ? await this.#loadSaved(model, path) : null;
    if (saved) {
      const loaded: Loaded = { model, ...saved, changed: 0, saving: null, saveAgain: false, fromFile: true, logged };
      // Not saved before the count agrees: a copy set aside must not replace the file.
      this.#catchUp(loaded, false);
      const rows = this.#rows(model);
      if (loaded.index.count === rows) {
        this.#loaded.set(modelId, loaded);
        this.#keepUp(loaded);
        return loaded;
      }
      process.emitWarning(
        `the saved vectors of model ${model.number} hold ${loaded.index.count} vectors where the table has ${rows}: reading the table`,
      );
    }
    // Read before the rows, so that the rows and the vectors logged after this point cover everything.
    const coveredSeq = logged ? this.#logSeq(model) : 0;
    // Sized for the rows there are: growing by doubling from a small start left up to half the slots unused.
    const index = new BinaryQuantizedIndex(model.dimensions, Math.max(1024, this.#rows(model) + 1024), this.#options);
    let read = 0;
    for (const row of this.#db.raw.prepare(`SELECT rowid, embedding FROM ${model.table}`).iterate()) {
      index.set(Number(row.rowid), floats(row.embedding as Uint8Array));
      // Searches (lexical meanwhile) and writes run between steps: what is written is logged after coveredSeq,
      // and the catch-up below takes it in whether or not this read saw it.
      if (++read % TABLE_STEP === 0) await yieldToEventLoop();
    }
    const loaded: Loaded = {
      model,
      index,
      coveredSeq,
      changed: 0,
      saving: null,
      saveAgain: false,
      fromFile: false,
      logged,
    };
    this.#loaded.set(modelId, loaded);
    this.#catchUp(loaded);
    if (path) this.#save(loaded);
    this.#trainIfWanted(loaded);
    return loaded;
  }

  async #loadSaved(model: Model, path: string): Promise<{ index: BinaryQuantizedIndex; coveredSeq: number } | null> {
    const bytes = await readSavedFile(path);
    if (!bytes) return null;
    try {
      const { index, header } = decodeVectors(bytes, this.#options);
      if (
        header.modelId !== model.id ||
        header.modelNumber !== model.number ||
        header.modelCreatedAt !== model.createdAt ||
        header.dimensions !== model.dimensions
      )
        throw new SavedArraysError('saved for another model');
      if (header.writeSeq > this.#logSeq(model))
        throw new SavedArraysError('ahead of the database (restored from a backup?)');
      if (
        header.writeSeq > 0 &&
        (header.lastPaper === null || header.lastPaper !== this.#paperAt(model, header.writeSeq))
      )
        throw new SavedArraysError(
          'its last write is not in the log (restored from a backup, or embedded again since)',
        );
      return { index, coveredSeq: header.writeSeq };
    } catch (error) {
      if (!(error instanceof SavedArraysError)) throw error;
      process.emitWarning(
        `the saved vectors of model ${model.number} are unusable (${error.message}): reading the table`,
      );
      return null;
    }
  }

  /** Takes in the vectors logged after the copy's sequence (a paper whose vector is gone leaves the copy). */
  #catchUp(loaded: Loaded, save = true): void {
    const { model } = loaded;
    if (!loaded.logged || this.#logSeq(model) <= loaded.coveredSeq) return;
    const rows = this.#db
      .sql(`SELECT paper, seq FROM ${model.log} WHERE seq > ? ORDER BY seq`)
      .all(loaded.coveredSeq)
      .map((r) => ({ paper: Number(r.paper), seq: Number(r.seq) }));
    const vectors = this.#read(
      model,
      rows.map((r) => r.paper),
    );
    for (const { paper } of rows) {
      const vector = vectors.get(paper);
      if (vector) loaded.index.set(paper, vector);
      else loaded.index.remove(paper);
    }
    loaded.coveredSeq = rows.at(-1)!.seq;
    loaded.changed += rows.length;
    if (save) this.#keepUp(loaded);
  }

  /** After a change: saves the copy once enough of it changed, and trains its lists when it wants them. */
  #keepUp(loaded: Loaded): void {
    if (loaded.changed > Math.max(SAVE_MIN, loaded.index.count * SAVE_SHARE)) this.#save(loaded);
    this.#trainIfWanted(loaded);
  }

  /** Saves a snapshot of the copy in the background (one save at a time; a failed save leaves the old file). */
  #save(loaded: Loaded): void {
    const path = this.filePath(loaded.model.number);
    if (!path) return;
    if (loaded.saving) {
      loaded.saveAgain = true;
      return;
    }
    const { model } = loaded;
    const bytes = encodeVectors(loaded.index, {
      modelId: model.id,
      modelNumber: model.number,
      modelCreatedAt: model.createdAt,
      dimensions: model.dimensions,
      writeSeq: loaded.coveredSeq,
      lastPaper: this.#paperAt(model, loaded.coveredSeq),
    });
    loaded.changed = 0;
    loaded.saving = (async () => {
      await yieldToEventLoop();
      await writeSavedFile(path, bytes);
    })()
      .catch((error: unknown) => {
        // Searching goes on with the copy in memory; the next start reads the table again.
        process.emitWarning(`the vectors of model ${model.number} could not be saved: ${(error as Error).message}`);
      })
      .finally(() => {
        loaded.saving = null;
        if (loaded.saveAgain) {
          loaded.saveAgain = false;
          this.#save(loaded);
        }
      });
  }

  /** The stored (float32) vectors of these rows: the exact rescoring of the in-memory int8 search. */
  vectors(modelId: string, rowids: readonly number[]): Map<number, Float32Array> {
    const model = this.#model(modelId);
    return model ? this.#read(model, rowids) : new Map();
  }

  #read(model: Model, rowids: readonly number[]): Map<number, Float32Array> {
    const vectors = new Map<number, Float32Array>();
    const read = this.#db.sql(`SELECT embedding FROM ${this.#exactTable(model)} WHERE rowid = ?`);
    for (const rowid of rowids) {
      const bytes = read.get(BigInt(rowid))?.embedding as Uint8Array | undefined;
      if (bytes) vectors.set(rowid, floats(bytes));
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
