/** Member handles made from email addresses. */

const HANDLE_MAX = 24;

/** "Jane.Doe+papers@example.org" → "jane-doe": letters, digits and single dashes, never empty. */
export function handleFromEmail(email: string): string {
  const local = email.split('@')[0] ?? '';
  const handle = local.split('+')[0]!.normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, HANDLE_MAX).replace(/-+$/, '');
  return handle === '' ? 'member' : handle;
}
