/** The "for you" page over HTTP: cold start, recommendations with reasons, exclusions, dismiss and reset, follows;
 *  and the "for you" section of email digests, through the runs of the CLI and jobs and the dev outbox's button. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { DailyEntryInput, PaperInput } from '../src/domain/types.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/server/app.ts';
import { SearchService } from '../src/search/search-service.ts';
import type { Embedder } from '../src/search/embedder.ts';
import { forYouDigestProvider } from '../src/recs/member-feed.ts';
import { simpleParser, type ParsedMail } from 'mailparser';
import { ACTIVE_MODEL_STATE } from '../src/search/semantic-indexer.ts';
import { sendScheduledDigest } from '../src/digest/schedule.ts';
import { weeklyPeriod } from '../src/digest/digest-period.ts';
import { startSmtpSink } from '../src/mail/smtp-sink.ts';
import { listOutbox } from '../src/mail/mailer.ts';
import { storeForYouProvider } from '../src/recs/member-feed.ts';
import { TEST_ORIGIN, memoryStore, tempDir } from './helpers.ts';
import { TOPIC_DIMENSIONS, seededNoise, topicVector } from './topic-vectors.ts';
import { postForm, signIn, type Member } from './community-helpers.ts';

const MODEL = 'test-model/1';
const D = TOPIC_DIMENSIONS;
const TOPICS = [
  {
    title: 'Quantum error correction with surface codes',
    abstract: 'We study quantum error correction, surface codes and logical qubits on noisy quantum hardware.',
  },
  {
    title: 'Protein folding with structure prediction',
    abstract: 'Protein structure prediction and folding dynamics of amino acid chains.',
  },
  {
    title: 'Galaxy cluster survey of dark matter',
    abstract: 'A galaxy cluster survey measuring dark matter halos and weak lensing of distant galaxies.',
  },
];
const idOf = (topic: number, n: number) => `2608.${String(topic * 100 + n).padStart(5, '0')}`;

/** Search needs an embedder for the recommender to know the model; queries here are lexical anyway. */
const embedder: Embedder = {
  id: MODEL,
  dimensions: D,
  embedDocuments: async (texts) => texts.map(() => new Float32Array(D)),
  embedQuery: async () => new Float32Array(D),
};

const store = memoryStore();
const outboxDir = tempDir('paperboy-outbox-');
const app = createApp({
  store,
  config: loadConfig({ PUBLIC_URL: TEST_ORIGIN, OUTBOX_DIR: outboxDir }),
  logger: createLogger('silent'),
  search: new SearchService(store, embedder),
});

before(async () => {
  const next = seededNoise(7);
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  const vectors: { id: string; vector: Float32Array }[] = [];
  for (let t = 0; t < TOPICS.length; t++) {
    for (let n = 0; n < 20; n++) {
      const id = idOf(t, n);
      const day = `2026-08-${String(1 + n).padStart(2, '0')}`;
      papers.push({
        id,
        title: `${TOPICS[t]!.title} ${n}`,
        summary: `${TOPICS[t]!.abstract} Variant ${n}.`,
        publishedAt: `${day}T00:00:00.000Z`,
        authors: [{ name: `Author ${t}`, externalId: null, hidden: false }],
        upvotes: t === 2 ? 50 - n : n,
        organization: t === 1 ? { name: 'acme', fullname: 'Acme Bio', avatar: null, externalId: null } : null,
      });
      vectors.push({ id, vector: topicVector(t, next) });
      entries.push({
        day,
        paperId: id,
        position: t,
        submittedAt: `${day}T08:00:00.000Z`,
        submittedBy: null,
        listedPublishedAt: `${day}T00:00:00.000Z`,
        thumbnail: null,
        isAuthorParticipating: false,
      });
    }
  }
  await store.importBatch({ papers, entries, replaceDays: [] });
  await store.putVectors(MODEL, D, vectors);
});

const get = (path: string, m?: Member) => app.request(path, m ? { headers: { cookie: m.cookie } } : {});
const post = (path: string, m: Member, fields: Record<string, string> = {}) =>
  postForm(app, path, { _csrf: m.csrf, ...fields }, { cookie: m.cookie });
const upvote = (id: string, m: Member) =>
  app.request(`/papers/${id}/upvote`, {
    method: 'POST',
    headers: { cookie: m.cookie, 'x-csrf-token': m.csrf, accept: 'application/json' },
  });

/** The recommended papers in page order, with their reasons. */
function recommended(html: string): { id: string; reason: string }[] {
  return [
    ...html.matchAll(
      /<li class="for-you-item">[\s\S]*?href="\/papers\/([^"]+)"[\s\S]*?<p class="for-you-reason">([\s\S]*?)<\/p>/g,
    ),
  ].map((m) => ({ id: m[1]!, reason: m[2]!.replace(/<[^>]+>/g, '').trim() }));
}

test('a member with no history gets the cold start: trending, clearly labelled, never an error', async () => {
  const newcomer = await signIn(app, outboxDir, 'new@example.org');
  const res = await get('/for-you', newcomer);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Trending, not personal yet/);
  const items = recommended(html);
  assert.ok(items.length > 0);
  assert.ok(
    items.every((i) => /Trending/.test(i.reason)),
    JSON.stringify(items.slice(0, 2)),
  );
  assert.match(html, /<a href="\/for-you">For you<\/a>/, 'linked from the account menu');
  const out = await get('/for-you');
  assert.equal(out.status, 303, 'signed out: sign in first');
});

test('after upvotes and a save: papers of that topic, each with a reason, never the upvoted, saved or dismissed ones; reset brings dismissals back', async () => {
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const upvoted = [idOf(0, 0), idOf(0, 1), idOf(0, 2)];
  for (const id of upvoted) assert.equal((await upvote(id, ada)).status, 200);
  const saved = idOf(0, 3);
  assert.equal((await post(`/papers/${saved}/save`, ada, { collection: 'new', name: 'Quantum' })).status, 303);

  let html = await (await get('/for-you', ada)).text();
  assert.doesNotMatch(html, /Trending, not personal yet/);
  assert.match(html, /Ranked by a model trained on the 4 papers you upvoted or saved/);
  let items = recommended(html);
  assert.ok(items.length >= 10, `${items.length} recommendations`);
  const ids = items.map((i) => i.id);
  for (const id of [...upvoted, saved]) assert.ok(!ids.includes(id), `${id} is not recommended again`);
  assert.ok(
    ids.slice(0, 10).every((id) => id.startsWith('2608.000')),
    `quantum papers first: ${ids.slice(0, 10).join(' ')}`,
  );
  for (const item of items.slice(0, 10)) {
    assert.match(
      item.reason,
      /^Why: Close to “Quantum error correction with surface codes \d”, which you (upvoted|saved) · \w+/,
      item.reason,
    );
  }

  const first = items[0]!.id;
  const dismissed = await post('/for-you/dismiss', ada, { paper: first });
  assert.equal(dismissed.status, 303);
  html = await (await get(dismissed.headers.get('location')!, ada)).text();
  assert.match(html, /will not be recommended again/);
  items = recommended(html);
  assert.ok(!items.some((i) => i.id === first), 'a dismissed paper leaves the list');
  assert.match(html, /Reset brings back the 1 paper you marked “Not interested”/);

  const reset = await post('/for-you/reset', ada);
  assert.equal(reset.status, 303);
  html = await (await get('/for-you', ada)).text();
  assert.equal(recommended(html)[0]!.id, first, 'after the reset it is back');
  assert.match(html, /Reset brings back the 0 papers/);
});

test('followed organizations and authors show their new papers in a section each; the digest hook uses the same data', async () => {
  const bob = await signIn(app, outboxDir, 'bob@example.org');
  assert.equal((await post('/follow', bob, { kind: 'organization', target: 'acme' })).status, 303);
  assert.equal((await post('/follow', bob, { kind: 'author', target: 'Author 2' })).status, 303);
  const html = await (await get('/for-you', bob)).text();
  const sections = [...html.matchAll(/<section class="follow-section">([\s\S]*?)<\/section>/g)].map((m) => m[1]!);
  assert.equal(sections.length, 2);
  const acme = sections.find((s) => s.includes('Acme Bio'))!;
  assert.ok(acme, 'a section for the organization');
  const acmePapers = [...acme.matchAll(/href="\/papers\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(acmePapers.length > 0);
  assert.ok(
    acmePapers.every((id) => id!.startsWith('2608.001')),
    "the organization's papers",
  );
  assert.ok(acmePapers.includes(idOf(1, 19)), 'the newest first');
  assert.ok(!acmePapers.includes(idOf(1, 0)), 'not papers older than the window');
  const author = sections.find((s) => s.includes('Author 2'))!;
  assert.ok([...author.matchAll(/href="\/papers\/([^"]+)"/g)].every((m) => m[1]!.startsWith('2608.002')));

  // The digest's "for you" hook: a subscriber who is this member gets the followed organization's papers of the period.
  const provider = forYouDigestProvider(store, new SearchService(store, embedder));
  const subscription = {
    id: 1,
    email: 'bob@example.org',
    frequency: 'weekly' as const,
    status: 'active' as const,
    createdAt: '',
    confirmedAt: null,
    unsubscribedAt: null,
    hardBounces: 0,
    lastConfirmationAt: null,
  };
  const period = {
    frequency: 'weekly' as const,
    label: '2026-W34',
    key: 'weekly:2026-W34',
    firstDay: '2026-08-17',
    lastDay: '2026-08-23',
  };
  const papers = await provider(subscription, { period, papers: [] });
  assert.ok(
    papers.some((p) => p.id === idOf(1, 19)),
    papers.map((p) => p.id).join(' '),
  );
  assert.deepEqual(
    await provider({ ...subscription, email: 'stranger@example.org' }, { period, papers: [] }),
    [],
    'no member: no section',
  );
});

/** The paper ids of a digest's "for you" section, in the HTML part and in the text part (none: no section). */
function forYouSection(mail: ParsedMail): { html: string[] | null; text: string[] | null } {
  const ids = (part: string) => [...new Set([...part.matchAll(/\/papers\/(\d{4}\.\d{5})/g)].map((m) => m[1]!))];
  const html = typeof mail.html === 'string' ? /<h2[^>]*>For you<\/h2>([\s\S]*?)You get this/.exec(mail.html) : null;
  const text = /\nFor you\n([\s\S]*?)\n-- \n/.exec(mail.text ?? '');
  return { html: html ? ids(html[1]!) : null, text: text ? ids(text[1]!) : null };
}

const digestTo = (messages: ParsedMail[], email: string) => {
  const found = messages.filter(
    (m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address === email && m.headers.has('list'),
  ); // List-Unsubscribe: a digest
  assert.equal(found.length, 1, `one digest to ${email}`);
  return found[0]!;
};

test('digest run as the CLI and the jobs make it (real SMTP server): a member with upvotes gets a "for you" section of other papers; no section for others', async () => {
  const cy = await signIn(app, outboxDir, 'cy@example.org');
  const upvoted = [idOf(0, 5), idOf(0, 6), idOf(0, 7)];
  for (const id of upvoted) assert.equal((await upvote(id, cy)).status, 200);
  assert.equal((await post('/settings/digest', cy, { frequency: 'weekly' })).status, 303);
  const newcomer = await signIn(app, outboxDir, 'new@example.org'); // a member with no history
  assert.equal((await post('/settings/digest', newcomer, { frequency: 'weekly' })).status, 303);
  const { subscription } = await store.subscriptions.requestSubscription('reader@example.org', 'weekly', new Date());
  await store.subscriptions.activate(subscription.id, 'weekly', new Date()); // a subscriber who is no member
  // No search service here: the run reads the model the indexer made active, as `paperboy digest send` does.
  await store.setJobState(ACTIVE_MODEL_STATE, {
    id: MODEL,
    path: '/nowhere',
    trainedOnPapers: 60,
    trainedAt: new Date().toISOString(),
  });

  const sink = await startSmtpSink();
  try {
    const config = loadConfig({
      PUBLIC_URL: TEST_ORIGIN,
      OUTBOX_DIR: outboxDir,
      SMTP_URL: sink.url,
      DIGEST_BACKOFF_MS: '0',
    });
    const summary = await sendScheduledDigest(
      { store, config, logger: createLogger('silent') },
      'weekly',
      new Date(),
      weeklyPeriod('2026-08-20'),
    );
    assert.equal(summary.sent, 3, JSON.stringify(summary));
    const messages = await Promise.all(sink.accepted.map((m) => simpleParser(m.raw)));

    const mine = forYouSection(digestTo(messages, 'cy@example.org'));
    assert.ok(mine.html && mine.html.length > 0, 'the HTML part has a "For you" section with papers');
    assert.deepEqual(mine.text, mine.html, 'the text part has the same papers');
    for (const id of upvoted) assert.ok(!mine.html.includes(id), `${id} (upvoted) is not recommended back`);
    assert.ok(
      mine.html.every((id) => id.startsWith('2608.000')),
      `papers close to the upvoted ones: ${mine.html.join(' ')}`,
    );

    for (const email of ['reader@example.org', 'new@example.org']) {
      const mail = digestTo(messages, email);
      assert.deepEqual(forYouSection(mail), { html: null, text: null }, `${email}: no "For you" section`);
      assert.match(mail.text ?? '', /papers the community read most/, `${email} gets the digest itself`);
    }
  } finally {
    await sink.close();
  }
});

test('the dev outbox\'s "send the latest digest" button adds the "for you" section too', async () => {
  // The outbox and its button are for administrators only.
  await store.community.setRole((await store.community.accountForEmail('cy@example.org', new Date())).id, 'admin');
  const cy = await signIn(app, outboxDir, 'cy@example.org');
  assert.equal((await post('/settings/digest', cy, { frequency: 'daily' })).status, 303);
  assert.equal((await post('/dev/outbox/send-digest', cy, { frequency: 'daily' })).status, 303);
  const messages = await Promise.all(listOutbox(outboxDir).map((m) => simpleParser(m.raw())));
  const mine = forYouSection(digestTo(messages, 'cy@example.org'));
  assert.ok(mine.html && mine.html.length > 0, 'a "For you" section');
  assert.deepEqual(mine.text, mine.html);
  assert.ok(!mine.html.some((id) => [idOf(0, 5), idOf(0, 6), idOf(0, 7)].includes(id)), 'not the upvoted papers');
});

test('without a search service (CLI, jobs), followed saved searches still feed the digest section, searched lexically', async () => {
  const dee = await signIn(app, outboxDir, 'dee@example.org');
  assert.equal((await post('/follow', dee, { kind: 'search', target: 'q=protein+folding' })).status, 303);
  const provider = await storeForYouProvider(store);
  const subscription = {
    id: 2,
    email: 'dee@example.org',
    frequency: 'weekly' as const,
    status: 'active' as const,
    createdAt: '',
    confirmedAt: null,
    unsubscribedAt: null,
    hardBounces: 0,
    lastConfirmationAt: null,
  };
  const papers = await provider(subscription, { period: weeklyPeriod('2026-08-20'), papers: [] });
  assert.deepEqual(
    papers.map((p) => p.id),
    [19, 18, 17, 16].map((n) => idOf(1, n)),
    "the search's papers of the week, newest first",
  );
});
