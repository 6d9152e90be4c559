/** Papers as MCP tools give them: a structured record for programs, and text an assistant reads. */
import { z } from 'zod';
import type { Paper } from '../domain/types.ts';
import { paperUrl } from '../domain/urls.ts';

export const paperRecord = z.object({
  id: z.string().describe('arXiv id without version'),
  title: z.string(),
  authors: z.array(z.string()),
  publishedAt: z.string(),
  organization: z.string().nullable(),
  upvotes: z.number().int(),
  comments: z.number().int().describe("This instance's discussion"),
  url: z.string().describe("The paper's page on this instance"),
  arxiv: z.string(),
});
export type PaperRecord = z.infer<typeof paperRecord>;

export function toPaperRecord(paper: Paper, publicUrl: string): PaperRecord {
  return {
    id: paper.id,
    title: paper.title,
    authors: paper.authors.filter((a) => !a.hidden).map((a) => a.name),
    publishedAt: paper.publishedAt,
    organization: paper.organization?.fullname ?? null,
    upvotes: paper.upvotes,
    comments: paper.numComments,
    url: `${publicUrl}${paperUrl(paper.id)}`,
    arxiv: `https://arxiv.org/abs/${paper.id}`,
  };
}

function authorsText(authors: readonly string[]): string {
  if (authors.length === 0) return 'authors unknown';
  return authors.length > 4 ? `${authors.slice(0, 3).join(', ')} and ${authors.length - 3} others` : authors.join(', ');
}

/** One paper as a numbered entry: title and id, then who, when, votes, and where to read it. */
export function paperLine(record: PaperRecord, index: number, note?: string): string {
  const lines = [
    `${index + 1}. ${record.title} (arXiv:${record.id})`,
    `   ${authorsText(record.authors)}${record.organization ? ` · ${record.organization}` : ''} · ${record.publishedAt.slice(0, 10)} · ${record.upvotes} upvotes · ${record.comments} comments`,
  ];
  if (note) lines.push(`   ${note}`);
  lines.push(`   ${record.url}`);
  return lines.join('\n');
}

export function paperListText(heading: string, records: readonly PaperRecord[], notes: readonly string[] = []): string {
  if (records.length === 0) return `${heading}\n\nNo papers.`;
  return `${heading}\n\n${records.map((r, i) => paperLine(r, i, notes[i])).join('\n\n')}`;
}
