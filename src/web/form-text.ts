/** Text typed into forms (names, descriptions, labels), cleaned before it is checked and kept. */

/** One line of text: control characters become spaces, runs of spaces one space. */
export function cleanLine(value: unknown): string {
  return typeof value === 'string'
    ? value
        .replace(/[\u0000-\u001F\u007F]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

/** Several lines: line breaks kept (CRLF as LF), other control characters dropped. */
export function cleanText(value: unknown): string {
  return typeof value === 'string'
    ? value
        .replace(/\r\n?/g, '\n')
        .replace(/[\u0000-\u0009\u000B-\u001F\u007F]/g, '')
        .trim()
    : '';
}

/** Length in characters as a person counts them (code points, not UTF-16 units). */
export const textLength = (text: string) => [...text].length;
