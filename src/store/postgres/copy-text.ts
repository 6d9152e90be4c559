/**
 * Rows in the text format of PostgreSQL's COPY: columns separated by tabs, one row per line, NULL as \N, and
 * backslash, tab, line feed and carriage return escaped with a backslash. Values are already what the column
 * takes as text (a tsvector literal, JSON); NUL cannot be sent and the store drops it before writing.
 */
export type CopyValue = string | number | boolean | null;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
}

/** One line per row, each ending in a line feed. */
export function copyText(rows: Iterable<readonly CopyValue[]>): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(`${row.map(copyField).join('\t')}\n`);
  return lines.join('');
}

/** The 1-based line of a COPY error (from the error's `where`: "COPY import_papers, line 3, column …"). */
export function copyErrorLine(error: unknown): number | null {
  const where = (error as { where?: unknown } | null)?.where;
  const match = typeof where === 'string' ? /\bCOPY [^,]+, line (\d+)/.exec(where) : null;
  return match ? Number(match[1]) : null;
}
