/**
 * Reads a retrieval collection in BEIR format: corpus.jsonl {_id, title, text}, queries.jsonl {_id, text},
 * qrels/<split>.tsv (query-id, corpus-id, score; a header line is allowed).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}
export interface BeirQuery {
  id: string;
  text: string;
}
/** query id -> (document id -> graded relevance > 0) */
export type Qrels = Map<string, Map<string, number>>;

export interface BeirCollection {
  corpus: BeirDocument[];
  queries: BeirQuery[];
  qrels: Qrels;
}

const corpusLine = z.object({
  _id: z.union([z.string(), z.number()]),
  title: z.string().default(''),
  text: z.string(),
});
const queryLine = z.object({ _id: z.union([z.string(), z.number()]), text: z.string() });

async function* jsonLines(path: string): AsyncIterable<{ line: number; value: unknown }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (error) {
      throw new Error(`${path}:${line}: not valid JSON (${(error as Error).message})`);
    }
  }
}

export async function readBeir(dir: string, split = 'test'): Promise<BeirCollection> {
  const corpus: BeirDocument[] = [];
  for await (const { line, value } of jsonLines(join(dir, 'corpus.jsonl'))) {
    const parsed = corpusLine.safeParse(value);
    if (!parsed.success) throw new Error(`corpus.jsonl:${line}: ${parsed.error.issues[0]!.message}`);
    corpus.push({ id: String(parsed.data._id), title: parsed.data.title, text: parsed.data.text });
  }
  const allQueries = new Map<string, BeirQuery>();
  for await (const { line, value } of jsonLines(join(dir, 'queries.jsonl'))) {
    const parsed = queryLine.safeParse(value);
    if (!parsed.success) throw new Error(`queries.jsonl:${line}: ${parsed.error.issues[0]!.message}`);
    allQueries.set(String(parsed.data._id), { id: String(parsed.data._id), text: parsed.data.text });
  }
  const qrels: Qrels = new Map();
  const tsv = await readFile(join(dir, 'qrels', `${split}.tsv`), 'utf8');
  tsv.split('\n').forEach((row, index) => {
    const cells = row.trim().split('\t');
    if (cells.length < 3 || (index === 0 && !/^\d+$/.test(cells[2]!))) return;
    const [queryId, docId, score] = [cells[0]!, cells[1]!, Number(cells[2])];
    if (!(score > 0)) return;
    if (!qrels.has(queryId)) qrels.set(queryId, new Map());
    qrels.get(queryId)!.set(docId, score);
  });
  const queries = [...qrels.keys()].flatMap((id) => allQueries.get(id) ?? []);
  return { corpus, queries, qrels };
}
