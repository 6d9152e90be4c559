/** The papers of bench:search and bench:lexical: real ones from the shared corpus, synthetic variants past it, a fixed query set. */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export interface RawPaper {
  arxiv_id: string;
  title: string;
  abstract: string;
  authors: string[];
  published: string;
  categories: string[];
  ai_keywords?: string[];
}

export async function readCorpus(path: string): Promise<RawPaper[]> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const papers: RawPaper[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity }))
    if (line.trim()) papers.push(JSON.parse(line) as RawPaper);
  return papers;
}

/** Deterministic variants of real papers: new ids, abstracts re-assembled from other papers' sentences. */
export function* syntheticVariants(real: RawPaper[], count: number): Generator<RawPaper> {
  const sentences = real.flatMap((p) => p.abstract.split(/(?<=\.)\s+/)).filter((s) => s.length > 20);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < count; i++) {
    const base = real[i % real.length]!;
    const abstract = Array.from({ length: 6 }, () => sentences[next() % sentences.length]!).join(' ');
    yield {
      ...base,
      arxiv_id: `${String(2000 + (Math.floor(i / 99_999) % 8000)).padStart(4, '0')}.${String(i % 99_999).padStart(5, '0')}`,
      abstract,
      ai_keywords: undefined,
    };
  }
}

/**
 * The papers to import as JSONL, one line at a time: at a million papers the file is gigabytes, more than one
 * string may hold (joining them all died with "Invalid string length").
 */
export async function writeCorpus(path: string, real: RawPaper[], scale: number): Promise<void> {
  const out = createWriteStream(path);
  const lines = function* () {
    yield* real.slice(0, scale);
    if (scale > real.length) yield* syntheticVariants(real, scale - real.length);
  };
  for (const paper of lines()) if (!out.write(`${JSON.stringify(paper)}\n`)) await once(out, 'drain');
  out.end();
  await finished(out);
}

/** Half real titles, half pairs of real keywords (deterministic picks). */
export function fixedQueries(real: RawPaper[], count: number): string[] {
  const withKeywords = real.filter((p) => (p.ai_keywords?.length ?? 0) >= 2);
  return [
    ...Array.from({ length: Math.ceil(count / 2) }, (_, i) =>
      real[(i * 7919) % real.length]!.title.replace(/\s+/g, ' '),
    ),
    ...Array.from({ length: Math.floor(count / 2) }, (_, i) => {
      const k = withKeywords[(i * 104729) % Math.max(1, withKeywords.length)]?.ai_keywords ?? ['neural', 'network'];
      return `${k[0]} ${k[1]}`;
    }),
  ];
}
