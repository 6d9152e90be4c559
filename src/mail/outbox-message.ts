/**
 * Reading the outbox's .eml files back: the admin-only web view (/dev/outbox) and `paperboy outbox` show
 * the same fields. mailparser is loaded on first use: only these readers need it.
 */
export interface OutboxMessage {
  subject: string;
  to: string;
  from: string;
  date: string;
  text: string;
  html: string | null;
  headers: [string, string][];
}

const SHOWN_HEADERS = [
  'from',
  'to',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
];

export async function parseOutboxMessage(raw: string): Promise<OutboxMessage> {
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw);
  const headers: [string, string][] = [];
  for (const line of mail.headerLines) {
    if (!SHOWN_HEADERS.includes(line.key)) continue;
    const value = line.line
      .slice(line.line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers.push([line.line.slice(0, line.line.indexOf(':')), value]);
  }
  const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
  return {
    subject: mail.subject ?? '',
    to,
    from: mail.from?.text ?? '',
    date: mail.date ? `${mail.date.toISOString().replace('T', ' ').slice(0, 19)} UTC` : '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    headers,
  };
}
