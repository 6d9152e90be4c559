/**
 * `@handle` mentions in a comment's Markdown: handles as checkHandle allows them (a–z, digits, single dashes),
 * after a start of line, a space or punctuation (not inside an address such as ada@example.org), and outside
 * code (a mention in `code` or a fenced block is text about a handle, not a call).
 */
import { HANDLE_MAX, HANDLE_MIN } from '../domain/handles.ts';

/** At most this many members are notified per comment: a comment naming a crowd notifies the first ones. */
export const MAX_MENTIONS = 10;

/** `@handle`, the handle captured; global (use with matchAll). */
export const MENTION = /(?<![\w@./-])@([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(?![\w@-])/g;

export function mentionedHandles(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?(?:```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const handles: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const handle = match[1]!.toLowerCase();
    if (handle.length < HANDLE_MIN || handle.length > HANDLE_MAX || handles.includes(handle)) continue;
    handles.push(handle);
    if (handles.length === MAX_MENTIONS) break;
  }
  return handles;
}
