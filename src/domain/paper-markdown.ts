/**
 * The paper as Markdown (title, authors, abstract, links), as the Hugging Face site serves it: GET /papers/{id}.md,
 * and the MCP tool read_paper.
 */
import type { Paper } from '../domain/types.ts';
import { generatedLabel } from '../domain/format.ts';

export const MARKDOWN = 'text/markdown; charset=utf-8';

/** Keeps Markdown syntax in titles and names from turning into markup. */
function escapeInline(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>#|!]/g, (c) => `\\${c}`)
    .replace(/\s+/g, ' ')
    .trim();
}

export function paperMarkdown(paper: Paper, publicUrl: string): string {
  const lines = [
    `# ${escapeInline(paper.title)}`,
    '',
    `**Authors:** ${
      paper.authors
        .filter((a) => !a.hidden)
        .map((a) => escapeInline(a.name))
        .join(', ') || 'unknown'
    }`,
    '',
    `**Published:** ${paper.publishedAt.slice(0, 10)}`,
  ];
  if (paper.organization) lines.push('', `**Organization:** ${escapeInline(paper.organization.fullname)}`);
  if (paper.withdrawn) lines.push('', '**This paper has been withdrawn.**');
  lines.push('', '## Abstract', '', paper.summary.trim());
  if (paper.aiSummary) lines.push('', '## AI summary', '', paper.aiSummary.trim());
  if (paper.aiKeywords.length > 0) lines.push('', `**Keywords:** ${paper.aiKeywords.map(escapeInline).join(', ')}`);
  // Or what a language model wrote here, said as such.
  const generated = paper.aiSummary ? null : paper.generatedSummary;
  if (generated) {
    lines.push(
      '',
      '## AI summary',
      '',
      generated.text.trim(),
      '',
      `*${escapeInline(generatedLabel('Summary', generated))}*`,
    );
    if (paper.aiKeywords.length === 0 && generated.keywords.length > 0)
      lines.push('', `**Keywords:** ${generated.keywords.map(escapeInline).join(', ')}`);
  }
  lines.push(
    '',
    '## Links',
    '',
    `- arXiv: https://arxiv.org/abs/${paper.id}`,
    `- PDF: https://arxiv.org/pdf/${paper.id}`,
    `- Paper page: ${publicUrl}/papers/${paper.id}`,
  );
  if (paper.githubRepo)
    lines.push(`- Code: ${paper.githubRepo}${paper.githubStars !== null ? ` (${paper.githubStars} stars)` : ''}`);
  if (paper.projectPage) lines.push(`- Project page: ${paper.projectPage}`);
  return `${lines.join('\n')}\n`;
}
