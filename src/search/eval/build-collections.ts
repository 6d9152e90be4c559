/**
 * npm run eval:collections -- [--papers ../shared/data/arxiv-papers-133k.jsonl.gz] [--daily ../shared/data/hf-daily-papers.tar.gz] [--out data/eval]
 *   [--sample N]
 *
 * Builds two honest BEIR-format collections from the real data, each with a dev split (for tuning) and a
 * test split (never used for tuning; queries are assigned by a hash of their id):
 *
 * - summary-to-paper: the Daily Papers `ai_summary` (a one-sentence paraphrase written by a model) is the
 *   query; its paper, among all papers of the arXiv dump, is the only relevant document. Measures finding a
 *   paper from a description in other words. Cannot measure: several relevant papers, real user phrasing.
 * - title-to-abstract: a paper's title is the query; the corpus holds abstracts only (no titles), and the
 *   paper's abstract is the only relevant document. Measures matching a short statement to a long text.
 *   Cannot measure: titles share words with their abstracts more than real queries do.
 *
 * With `--sample N` the corpus is an even sample of N papers (by a hash of the id) and the queries are those
 * whose paper is in it: a small instance's collection, where the model has little text to learn from.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Command } from 'commander';
import { findSources, type DaySource } from '../../ingest/import-sources.ts';
import { parseDayFile } from '../../ingest/hf-daily-file.ts';
import { normalizeArxivId } from '../../domain/arxiv-id.ts';

interface Paper {
  id: string;
  title: string;
  abstract: string;
}

const split = (id: string) => (createHash('sha256').update(id).digest()[0]! % 2 === 0 ? 'dev' : 'test');

async function readPapers(path: string): Promise<Paper[]> {
  const papers: Paper[] = [];
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { arxiv_id: string; title: string; abstract: string };
    const id = normalizeArxivId(r.arxiv_id);
    if (id)
      papers.push({ id, title: r.title.replace(/\s+/g, ' ').trim(), abstract: r.abstract.replace(/\s+/g, ' ').trim() });
  }
  return papers;
}

function writeCollection(
  dir: string,
  corpus: { _id: string; title: string; text: string }[],
  queries: { _id: string; text: string; doc: string }[],
): void {
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  writeFileSync(join(dir, 'corpus.jsonl'), `${corpus.map((d) => JSON.stringify(d)).join('\n')}\n`);
  writeFileSync(
    join(dir, 'queries.jsonl'),
    `${queries.map((q) => JSON.stringify({ _id: q._id, text: q.text })).join('\n')}\n`,
  );
  for (const name of ['dev', 'test']) {
    const rows = queries.filter((q) => split(q._id) === name).map((q) => `${q._id}\t${q.doc}\t1`);
    writeFileSync(join(dir, 'qrels', `${name}.tsv`), `${['query-id\tcorpus-id\tscore', ...rows].join('\n')}\n`);
  }
  process.stdout.write(`${dir}: ${corpus.length} documents, ${queries.length} queries\n`);
}

/** Day files, alone or inside an archive. */
async function* daySources(path: string): AsyncIterable<DaySource> {
  for (const source of await findSources(path)) {
    if (source.kind === 'day') yield source;
    else if (source.kind === 'archive') yield* source.entries();
  }
}

const program = new Command('eval:collections')
  .option('--papers <path>', 'arXiv JSONL dump', '../shared/data/arxiv-papers-133k.jsonl.gz')
  .option('--daily <path>', 'Daily Papers day files (.tar.gz or folder)', '../shared/data/hf-daily-papers.tar.gz')
  .option('--out <dir>', 'output folder', 'data/eval')
  .option('--title-queries <n>', 'how many title queries to sample', '2000')
  .option('--sample <n>', 'keep an even sample of this many papers (and the queries whose paper is kept)')
  .action(async (options: { papers: string; daily: string; out: string; titleQueries: string; sample?: string }) => {
    let papers = await readPapers(resolve(options.papers));
    if (options.sample) {
      const keep = Number(options.sample);
      papers = papers
        .map((p) => ({ p, key: createHash('sha256').update(`sample:${p.id}`).digest('hex') }))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .slice(0, keep)
        .map(({ p }) => p);
    }
    const byId = new Map(papers.map((p) => [p.id, p]));
    const summaries = new Map<string, string>();
    for await (const source of daySources(resolve(options.daily))) {
      try {
        for (const paper of parseDayFile(source.name, await source.text()).papers) {
          if (paper.aiSummary && byId.has(paper.id)) summaries.set(paper.id, paper.aiSummary);
        }
      } catch {
        // Broken day files are the importer's concern; they simply add no queries here.
      }
    }
    const corpus = papers.map((p) => ({ _id: p.id, title: p.title, text: p.abstract }));
    writeCollection(
      join(options.out, 'summary-to-paper'),
      corpus,
      [...summaries].map(([id, text]) => ({ _id: `s-${id}`, text, doc: id })),
    );
    const sampled = papers
      .map((p) => ({ p, key: createHash('sha256').update(`title:${p.id}`).digest('hex') }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .slice(0, Number(options.titleQueries))
      .map(({ p }) => ({ _id: `t-${p.id}`, text: p.title, doc: p.id }));
    writeCollection(
      join(options.out, 'title-to-abstract'),
      papers.map((p) => ({ _id: p.id, title: '', text: p.abstract })),
      sampled,
    );
  });

await program.parseAsync();
