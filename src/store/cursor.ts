/** Opaque keyset cursors for paging papers newest first. */
export interface PaperCursor {
  publishedAt: string;
  id: string;
}

export function encodeCursor(cursor: PaperCursor): string {
  return Buffer.from(JSON.stringify([cursor.publishedAt, cursor.id])).toString('base64url');
}

/** Returns null for anything that is not a cursor this module made. */
export function decodeCursor(text: string): PaperCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { publishedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through: not a cursor
  }
  return null;
}
