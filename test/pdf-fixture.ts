/**
 * PDFs the tests make themselves: a page of HTML printed by Chromium (page.pdf()), standing in for an arXiv
 * paper's PDF. One browser per test file, closed when the file ends.
 */
import { after } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from './browser/chromium.ts';

let browser: Promise<Browser> | null = null;

async function launch(): Promise<Browser> {
  const { executablePath, env } = await findChromium();
  const launched = await chromium.launch({
    executablePath,
    env,
    args: ['--no-sandbox', '--headless', '--disable-gpu'],
    headless: true,
  });
  after(() => launched.close());
  return launched;
}

/**
 * A paper-like PDF: its title in large type, its authors and abstract, over a coloured band (a first page a
 * thumbnail can be told by: later pages say "Page N"), then text.
 */
export async function paperPdf(
  title: string,
  options: { pages?: number; band?: string; authors?: string[]; abstract?: string } = {},
): Promise<Buffer> {
  browser ??= launch();
  const page = await (await browser).newPage();
  try {
    const pages = Array.from(
      { length: options.pages ?? 2 },
      (_, i) =>
        `<section style="page-break-after: always; margin: 0 3em">
        <h1 style="text-align: center; font-size: 22pt">${i === 0 ? escapeHtml(title) : `Page ${i + 1}`}</h1>
        <p style="text-align: center">${escapeHtml((options.authors ?? []).join(', '))}</p>
        ${options.abstract ? `<h3 style="text-align: center">Abstract</h3><p style="margin: 0 3em; text-align: justify">${escapeHtml(options.abstract)}</p>` : ''}
        <div style="height: 120px; margin: 1em 0; background: ${options.band ?? '#c0392b'}"></div>
        <p style="text-align: justify">${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30)}</p></section>`,
    ).join('');
    await page.setContent(`<!doctype html><html><body style="font-family: serif">${pages}</body></html>`);
    return await page.pdf({ format: 'Letter', printBackground: true });
  } finally {
    await page.close();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
