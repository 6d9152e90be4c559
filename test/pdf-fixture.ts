/**
 * PDFs the tests make themselves: a page of HTML printed by Chromium (page.pdf()), standing in for an arXiv
 * paper's PDF. One browser per test file, closed when the file ends.
 */
import { after } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from './browser/chromium.ts';

let browser: Promise<Browser> | null = null;

/** A headless Chromium to print PDFs with; the caller closes it. */
export async function launchPrinter(): Promise<Browser> {
  const { executablePath, env } = await findChromium();
  return chromium.launch({
    executablePath,
    env,
    args: ['--no-sandbox', '--headless', '--disable-gpu'],
    headless: true,
  });
}

async function launch(): Promise<Browser> {
  const launched = await launchPrinter();
  after(() => launched.close());
  return launched;
}

export interface PaperPageOptions {
  pages?: number;
  band?: string;
  authors?: string[];
  abstract?: string;
}

/**
 * A paper-like document: its title in large type, its authors and abstract, over a coloured band (a first
 * page a thumbnail can be told by: later pages say "Page N"), then text.
 */
export function paperHtml(title: string, options: PaperPageOptions = {}): string {
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
  return `<!doctype html><html><body style="font-family: serif">${pages}</body></html>`;
}

/** Prints `html` to a Letter-sized PDF in a page of `browser`. */
export async function printPdf(browser: Browser, html: string): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.setContent(html);
    return await page.pdf({ format: 'Letter', printBackground: true });
  } finally {
    await page.close();
  }
}

/** A paper-like PDF (paperHtml), printed by the test file's browser. */
export async function paperPdf(title: string, options: PaperPageOptions = {}): Promise<Buffer> {
  browser ??= launch();
  return printPdf(await browser, paperHtml(title, options));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
