/**
 * Many members voting at once against a running server, over loopback HTTP: used by the concurrency test
 * and by `npm run bench:votes`. Members sign in through the real flow (sign-in email from the outbox).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HttpMember {
  email: string;
  cookie: string;
  csrf: string;
}

/** Signs in `count` members (member-0@load.test …); `outboxDir` is the server's OUTBOX_DIR. */
export async function signInMembers(
  baseUrl: string,
  outboxDir: string,
  count: number,
  concurrency = 8,
): Promise<HttpMember[]> {
  const emails = Array.from({ length: count }, (_, i) => `member-${i}@load.test`);
  await inParallel(emails, concurrency, async (email) => {
    const response = await fetch(`${baseUrl}/signin`, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
    if (response.status !== 200) throw new Error(`sign-in request for ${email}: HTTP ${response.status}`);
  });
  const tokens = signInTokensByEmail(outboxDir);
  return inParallel(emails, concurrency, async (email) => {
    const token = tokens.get(email);
    if (!token) throw new Error(`no sign-in email to ${email} in ${outboxDir}`);
    const verified = await fetch(`${baseUrl}/signin/verify`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    const cookie = /pb_session=[^;]+/.exec(verified.headers.get('set-cookie') ?? '')?.[0];
    if (!cookie) throw new Error(`signing in ${email}: HTTP ${verified.status}, no session cookie`);
    const settings = await (await fetch(`${baseUrl}/settings`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(settings)?.[1];
    if (!csrf) throw new Error(`no CSRF token on /settings for ${email}`);
    return { email, cookie, csrf };
  });
}

/** Reads every .eml once: the newest sign-in token of each recipient. */
function signInTokensByEmail(outboxDir: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const name of readdirSync(outboxDir)
    .filter((n) => n.endsWith('.eml'))
    .sort()) {
    const raw = readFileSync(join(outboxDir, name), 'utf8');
    const to = /^To: (.+)$/m.exec(raw)?.[1]?.trim();
    // The link is in the quoted-printable text part; undo soft line breaks and =3D before matching.
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const token = /\/signin\/verify\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    if (to && token) tokens.set(to, token);
  }
  return tokens;
}

export interface VoteResultRow {
  member: number;
  paperId: string;
  status: number;
  voted: boolean | null;
  ms: number;
}

/** One vote (toggle) by a member over HTTP, timed. */
export async function castVote(
  baseUrl: string,
  member: HttpMember,
  memberIndex: number,
  paperId: string,
): Promise<VoteResultRow> {
  const sent = performance.now();
  const response = await fetch(`${baseUrl}/papers/${paperId}/upvote`, {
    method: 'POST',
    headers: { cookie: member.cookie, 'x-csrf-token': member.csrf, accept: 'application/json' },
  });
  const body = response.ok ? ((await response.json()) as { voted: boolean }) : await response.text().then(() => null);
  return {
    member: memberIndex,
    paperId,
    status: response.status,
    voted: body?.voted ?? null,
    ms: performance.now() - sent,
  };
}

/** The votes each paper should have gained: members whose last answered vote on it left it voted. */
export function expectedGains(rows: readonly VoteResultRow[]): Map<string, number> {
  const last = new Map<string, boolean>();
  for (const row of rows) if (row.voted !== null) last.set(`${row.member} ${row.paperId}`, row.voted);
  const gains = new Map<string, number>();
  for (const [key, voted] of last) {
    const paperId = key.slice(key.indexOf(' ') + 1);
    gains.set(paperId, (gains.get(paperId) ?? 0) + (voted ? 1 : 0));
  }
  return gains;
}

export async function apiUpvotes(baseUrl: string, paperId: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/papers/${paperId}`);
  if (!response.ok) throw new Error(`/api/papers/${paperId}: HTTP ${response.status}`);
  return ((await response.json()) as { upvotes: number }).upvotes;
}

/** Runs `work` over the items with at most `limit` at a time; results in the items' order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
