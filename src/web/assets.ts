/**
 * Static files of the pages, read once at start and kept in memory. Their addresses carry a hash of
 * their content, so browsers may cache them for a year and still see a new version at once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Asset {
  /** Address with the content hash, e.g. /static/style.3f2a9c1e.css */
  url: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

function load(file: string, contentType: string): Asset {
  const body = new Uint8Array(readFileSync(new URL(`./static/${file}`, import.meta.url)));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = file.lastIndexOf('.');
  return { url: `/static/${file.slice(0, dot)}.${hash}${file.slice(dot)}`, contentType, body, etag: `"${hash}"` };
}

export const stylesheet = load('style.css', 'text/css; charset=utf-8');
export const favicon = load('favicon.svg', 'image/svg+xml');
/** The little script signed-in pages use: upvotes without a page reload. */
export const clientScript = load('client.js', 'text/javascript; charset=utf-8');

const byUrl = new Map([stylesheet, favicon, clientScript].map((asset) => [asset.url, asset]));

export function findAsset(path: string): Asset | undefined {
  return byUrl.get(path);
}
