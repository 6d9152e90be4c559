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

/** A paper-like PDF: its title in large type over a coloured band (a first page a thumbnail can be told by), then text. */
export async function paperPdf(title: string, options: { pages?: number; band?: string } = {}): Promise<Buffer> {
  browser ??= launch();
  const page = await (await browser).newPage();
  try {
    const pages = Array.from(
      { length: options.pages ?? 2 },
      (_, i) =>
        `<section style="page-break-after: always"><h1>${i === 0 ? title : `Page ${i + 1}`}</h1>
        <div style="height: 120px; background: ${options.band ?? '#c0392b'}"></div>
        <p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30)}</p></section>`,
    ).join('');
    await page.setContent(`<!doctype html><html><body style="font-family: serif">${pages}</body></html>`);
    return await page.pdf({ format: 'Letter', printBackground: true });
  } finally {
    await page.close();
  }
}
