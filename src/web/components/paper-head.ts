/**
 * What a paper page tells machines in its head: Highwire Press `citation_*` tags, which Zotero and Google
 * Scholar read to file the paper, and OpenGraph and Twitter card tags for link previews. Every value goes
 * through the html template, which escapes it for an attribute.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { invertedName } from '../../domain/citation.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../../domain/urls.ts';
import { localImagePath } from '../../http/image-paths.ts';
import type { Html } from '../html.ts';

/**
 * The instance's copy of the paper's first-page thumbnail, if the image cache has one (the thumbnail job keeps
 * it under the source `thumbnail:<id>`); undefined otherwise.
 */
export function paperThumbnailPath(paperId: string): string | undefined {
  return localImagePath(`thumbnail:${paperId}`) ?? undefined;
}

export interface PaperHeadOptions {
  /** Absolute address of the page. */
  url: string;
  description: string;
  /** Absolute address of a preview picture, when there is one. */
  image?: string | undefined;
}

/** YYYY/MM/DD, the date form Google Scholar asks for. */
function scholarDate(iso: string): string {
  return iso.slice(0, 10).replaceAll('-', '/');
}

export function paperHead(paper: Paper, { url, description, image }: PaperHeadOptions): Html {
  const date = scholarDate(paper.publishedAt);
  return html`<meta name="citation_title" content="${paper.title}">
${paper.authors.map(
  (a) => html`<meta name="citation_author" content="${invertedName(a.name)}">
`,
)}<meta name="citation_publication_date" content="${date}">
<meta name="citation_date" content="${date}">
<meta name="citation_online_date" content="${date}">
<meta name="citation_arxiv_id" content="${paper.id}">
<meta name="citation_technical_report_institution" content="arXiv">
<meta name="citation_technical_report_number" content="arXiv:${paper.id}">
<meta name="citation_abstract_html_url" content="${arxivAbsUrl(paper.id)}">
<meta name="citation_pdf_url" content="${arxivPdfUrl(paper.id)}">
<meta property="og:type" content="article">
<meta property="og:title" content="${paper.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
<meta property="article:published_time" content="${paper.publishedAt}">
${image ? html`<meta property="og:image" content="${image}">` : ''}
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${paper.title}">
<meta name="twitter:description" content="${description}">
${image ? html`<meta name="twitter:image" content="${image}">` : ''}`;
}
