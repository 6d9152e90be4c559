/**
 * `npm run bench:thumbs`: first-page thumbnails for the demo's papers, through the real job (src/images/
 * thumbnails.ts): each PDF fetched from a local server standing in for arXiv, rendered by pdftoppm, kept in the
 * image cache on disk. The PDFs are printed beforehand by Chromium from each paper's title, authors and
 * abstract (not timed): real arXiv PDFs carry more fonts and figures, so they render slower than these.
 * Prints the render time per paper (median, p95; pdftoppm alone, and the whole paper: fetch, render, keep) and
 * the cache size, per paper and for all the demo's papers; writes bench/results/thumbs-*.json.
 *
 *   npm run bench:thumbs -- [--papers N]   (default 100; --papers 0 renders every paper of the demo)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, formatTable, loadLine, percentile, shortPath, writeResult } from './lib.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { DEMO_ARCHIVE } from '../src/ingest/demo.ts';
import { ImageCache } from '../src/images/image-cache.ts';
import { DiskBlobs } from '../src/images/blob-storage.ts';
import { Thumbnailer } from '../src/images/thumbnails.ts';
import { createLogger } from '../src/log.ts';
import { THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH } from '../src/domain/urls.ts';
import { launchPrinter, paperHtml, printPdf } from '../test/pdf-fixture.ts';

const { values: flags } = parseArgs({ options: { papers: { type: 'string', default: '100' } } });
const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-thumbs-'));
const store = new SqliteStore(join(dir, 'paperboy.db'));
await importPath(store, DEMO_ARCHIVE);
const demoPapers = (await store.images.thumbnailsDue(new Date(), 1_000_000, false)).length;
const n = Number(flags.papers) === 0 ? demoPapers : Math.min(Number(flags.papers), demoPapers);

// The papers the job takes first (the newest feed days), printed to PDFs before anything is timed.
const due = await store.images.thumbnailsDue(new Date(), n, false);
const printer = await launchPrinter();
const pdfs = new Map<string, Buffer>();
const bands = ['#2e86de', '#27ae60', '#8e44ad', '#e67e22', '#c0392b'];
for (const [i, { paperId }] of due.entries()) {
  const paper = (await store.getPaper(paperId))!;
  const html = paperHtml(paper.title, {
    band: bands[i % bands.length],
    authors: paper.authors.slice(0, 8).map((a) => a.name),
    abstract: paper.summary,
  });
  pdfs.set(paperId, await printPdf(printer, html));
}
await printer.close();

const arxiv = createServer((req, res) => {
  const pdf = pdfs.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace('/pdf/', '')));
  if (pdf) res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => arxiv.listen(0, '127.0.0.1', resolve));

const imageDir = join(dir, 'images');
const logger = createLogger('silent');
const images = new ImageCache({ store, blobs: new DiskBlobs(imageDir), fetcher: null, logger });
const thumbnailer = new Thumbnailer({
  store,
  images,
  logger,
  pdfUrl: `http://127.0.0.1:${(arxiv.address() as AddressInfo).port}/pdf/`,
  userAgent: 'Paperboy/bench',
  maxPdfBytes: 30 * 1024 * 1024,
  minIntervalMs: 0,
  timeoutMs: 60_000,
  pdftoppm: 'pdftoppm',
  allowPrivateAddresses: true,
});

// One paper per round, so that each paper's whole time (fetch, render, keep) is measured alone.
const renderMs: number[] = [];
const perPaperMs: number[] = [];
const started = performance.now();
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const round = await thumbnailer.round(1);
  perPaperMs.push(performance.now() - t0);
  renderMs.push(...round.renderMs);
  if (round.rendered !== 1) throw new Error(`paper ${i + 1}: not rendered (${JSON.stringify(round)})`);
}
const seconds = (performance.now() - started) / 1000;
arxiv.close();

const files = readdirSync(imageDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
const cacheBytes = files.reduce((sum, f) => sum + statSync(join(f.parentPath, f.name)).size, 0);
const pdfBytes = [...pdfs.values()].reduce((sum, pdf) => sum + pdf.length, 0);
await store.close();
rmSync(dir, { recursive: true, force: true });

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const sortedRender = Float64Array.from(renderMs).sort();
const sortedPaper = Float64Array.from(perPaperMs).sort();
const perThumbnail = cacheBytes / files.length;
const result = {
  papers: n,
  demoPapers,
  thumbnailPixels: `${THUMBNAIL_WIDTH}x${THUMBNAIL_HEIGHT}`,
  renderMs: {
    median: percentile(sortedRender, 50),
    p95: percentile(sortedRender, 95),
    max: sortedRender[sortedRender.length - 1] ?? Number.NaN,
  },
  perPaperMs: { median: percentile(sortedPaper, 50), p95: percentile(sortedPaper, 95) },
  seconds,
  cache: {
    files: files.length,
    bytes: cacheBytes,
    bytesPerThumbnail: perThumbnail,
    demoEstimateBytes: Math.round(perThumbnail * demoPapers),
  },
  pdfBytesMean: pdfBytes / pdfs.size,
};
process.stdout.write(`${loadLine()}\n`);
process.stdout.write(
  `${formatTable(
    ['thumbnails of the demo papers', 'value'],
    [
      ['papers rendered (of the demo)', `${fmt.int(n)} (of ${fmt.int(demoPapers)})`],
      ['pdftoppm per paper, median', `${fmt.ms(result.renderMs.median)} ms`],
      ['pdftoppm per paper, p95', `${fmt.ms(result.renderMs.p95)} ms`],
      ['whole paper (fetch, render, keep), median', `${fmt.ms(result.perPaperMs.median)} ms`],
      ['whole paper, p95', `${fmt.ms(result.perPaperMs.p95)} ms`],
      ['thumbnail size, mean', `${(perThumbnail / 1024).toFixed(1)} KiB (${result.thumbnailPixels} PNG)`],
      ['cache for these papers', mib(cacheBytes)],
      ['cache for the whole demo (estimate)', mib(result.cache.demoEstimateBytes)],
      ['PDF size, mean (printed here)', `${(result.pdfBytesMean / 1024).toFixed(1)} KiB`],
    ],
  )}\n`,
);
process.stdout.write(`result: ${shortPath(writeResult('thumbs', result))}\n`);
