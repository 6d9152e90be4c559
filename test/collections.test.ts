/** Collections over HTTP: create, save from a card, reorder, remove, delete; privacy; feeds; BibTeX; follows; export; CSRF. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';
import type { Store } from '../src/store/store.ts';
import { escapeBibtex } from '../src/domain/citation.ts';

async function setUp() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store);
  // Handles chosen on the welcome page: the export's file name and the API's owner name them.
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob' });
  return { store, app, ada, bob };
}

async function dayPaperIds(store: Store, n: number): Promise<string[]> {
  const latest = (await store.latestDay())!;
  return (await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: n })).map(
    (e) => e.paper.id,
  );
}

type App = Awaited<ReturnType<typeof setUp>>['app'];
const get = (app: App, path: string, m?: Member) => app.request(path, m ? { headers: { cookie: m.cookie } } : {});
const post = (app: App, path: string, m: Member, fields: Record<string, string>) =>
  postForm(app, path, { _csrf: m.csrf, ...fields }, { cookie: m.cookie });

async function create(app: App, m: Member, fields: Record<string, string>): Promise<number> {
  const res = await post(app, '/collections', m, fields);
  assert.equal(res.status, 303, await res.clone().text());
  const id = /^\/collections\/(\d+)\?done=created$/.exec(res.headers.get('location') ?? '')?.[1];
  assert.ok(id, res.headers.get('location') ?? '');
  return Number(id);
}

const order = (html: string) =>
  [...html.matchAll(/<li class="collection-item">[\s\S]*?href="\/papers\/([^"]+)"/g)].map((m) => m[1]);

test('a member creates a collection, saves papers from cards, reorders, removes, edits and deletes it', async () => {
  const { store, app, ada } = await setUp();
  const [p1, p2, p3] = (await dayPaperIds(store, 3)) as [string, string, string];

  const home = await (await get(app, '/', ada)).text();
  assert.match(home, /<details class="save save-card">/, 'cards carry a Save control for members');
  assert.match(
    home,
    /<option value="new" selected>New collection…<\/option>/,
    'no collections yet: a new one is offered',
  );

  // Save from a card with a new collection's name; then into the same collection by id.
  const saved = await post(app, `/papers/${p1}/save`, ada, { collection: 'new', name: 'Agents', return: '/papers' });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), '/papers');
  const [agents] = await store.collections.collectionsOf((await store.community.getAccountByName('ada'))!.id);
  assert.equal(agents!.name, 'Agents');
  assert.equal(agents!.isPublic, false, 'collections made from Save are private');
  for (const p of [p2, p3])
    assert.equal(
      (await post(app, `/papers/${p}/save`, ada, { collection: String(agents!.id), return: `/papers/${p}` })).status,
      303,
    );
  assert.equal(
    (await post(app, `/papers/${p2}/save`, ada, { collection: String(agents!.id) })).status,
    303,
    'saving twice is fine',
  );

  const url = `/collections/${agents!.id}`;
  let page = await (await get(app, url, ada)).text();
  assert.deepEqual(order(page), [p1, p2, p3]);
  assert.match(page, /3 papers/);

  // The paper page shows it saved, with a way to take it out.
  const paperPage = await (await get(app, `/papers/${p1}`, ada)).text();
  assert.match(paperPage, /★<\/span> Saved/);
  assert.match(paperPage, /Remove from “Agents”/);

  assert.equal((await post(app, `${url}/move`, ada, { paper: p3, direction: 'up' })).status, 303);
  assert.deepEqual(order(await (await get(app, url, ada)).text()), [p1, p3, p2]);
  assert.equal((await post(app, `${url}/move`, ada, { paper: p1, direction: 'down' })).status, 303);
  assert.deepEqual(order(await (await get(app, url, ada)).text()), [p3, p1, p2]);
  assert.equal((await post(app, `${url}/remove`, ada, { paper: p1 })).status, 303);
  assert.deepEqual(order(await (await get(app, url, ada)).text()), [p3, p2]);
  assert.equal(
    (await post(app, `/papers/${p2}/unsave`, ada, { collection: String(agents!.id), return: url })).status,
    303,
  );
  assert.deepEqual(order(await (await get(app, url, ada)).text()), [p3]);

  const edited = await post(app, `${url}/edit`, ada, {
    name: 'Agents, edited',
    description: 'Two\nlines',
    visibility: 'public',
  });
  assert.equal(edited.status, 303);
  page = await (await get(app, url, ada)).text();
  assert.match(page, /<h1 class="collection-name">Agents, edited<\/h1>/);
  assert.match(page, /Share link/);
  assert.match(page, /<link rel="alternate" type="application\/rss\+xml"[^>]+href="\/feeds\/collections\/\d+\.rss">/);

  assert.equal(
    (await post(app, `${url}/edit`, ada, { name: 'x'.repeat(101), visibility: 'public' })).status,
    400,
    'names are at most 100 characters',
  );
  assert.equal(
    (await post(app, `${url}/edit`, ada, { name: 'ok', description: 'd'.repeat(1001) })).status,
    400,
    'descriptions at most 1,000',
  );
  assert.equal((await post(app, `${url}/delete`, ada, {})).status, 400, 'deleting needs the confirmation box');
  const deleted = await post(app, `${url}/delete`, ada, { confirm: 'yes' });
  assert.equal(deleted.status, 303);
  assert.equal((await get(app, url, ada)).status, 404);
  assert.match(await (await get(app, '/collections', ada)).text(), /No collections yet/);
});

test('a private collection is invisible to other members and to signed-out visitors: page, feed, BibTeX, API', async () => {
  const { store, app, ada, bob } = await setUp();
  const [p1] = (await dayPaperIds(store, 1)) as [string];
  const id = await create(app, ada, { name: 'Secret list', description: 'private notes', visibility: 'private' });
  assert.equal((await post(app, `/papers/${p1}/save`, ada, { collection: String(id) })).status, 303);

  for (const path of [
    `/collections/${id}`,
    `/collections/${id}.bib`,
    `/feeds/collections/${id}.rss`,
    `/feeds/collections/${id}.json`,
    `/api/collections/${id}`,
  ]) {
    assert.equal((await get(app, path, ada)).status, 200, `the owner sees ${path}`);
    for (const who of [bob, undefined]) {
      const res = await get(app, path, who);
      assert.equal(res.status, 404, `${who ? 'another member' : 'a signed-out visitor'}: ${path}`);
      assert.doesNotMatch(await res.text(), /Secret list|private notes/);
    }
  }
  const unknown = await get(app, '/collections/999999', bob);
  assert.equal(unknown.status, 404, 'the same answer as for a collection that does not exist');
  // Others cannot change it either (the same 404).
  assert.equal((await post(app, `/collections/${id}/edit`, bob, { name: 'mine', visibility: 'public' })).status, 404);
  assert.equal((await post(app, `/collections/${id}/delete`, bob, { confirm: 'yes' })).status, 404);
  assert.equal((await post(app, `/collections/${id}/remove`, bob, { paper: p1 })).status, 404);
  assert.equal((await post(app, `/papers/${p1}/save`, bob, { collection: String(id) })).status, 404);
  assert.equal((await get(app, `/collections/${id}`, ada)).status, 200, 'still there');
  // Search does not know collections: nothing of it shows in results.
  const found = await (await get(app, '/search?q=Secret+list+private+notes', bob)).text();
  assert.doesNotMatch(found, new RegExp(`href="/collections/${id}`));
});

test('a public collection has a page, feeds that parse with its papers, an API answer and BibTeX with escaped text', async () => {
  const { store, app, ada, bob } = await setUp();
  const ids = (await dayPaperIds(store, 3)) as [string, string, string];
  const id = await create(app, ada, {
    name: 'Public <b>picks</b> & more',
    description: 'Read these',
    visibility: 'public',
  });
  for (const p of ids) await post(app, `/papers/${p}/save`, ada, { collection: String(id) });

  const page = await (await get(app, `/collections/${id}`, bob)).text();
  assert.match(page, /Public &lt;b&gt;picks&lt;\/b&gt; &amp; more/);
  assert.doesNotMatch(page, /collection-item-controls/, 'no owner controls for others');

  const rss = await get(app, `/feeds/collections/${id}.rss`);
  assert.equal(rss.status, 200);
  assert.match(rss.headers.get('content-type')!, /application\/rss\+xml/);
  const rssText = await rss.text();
  assert.equal(XMLValidator.validate(rssText), true);
  const channel = new XMLParser().parse(rssText).rss.channel;
  assert.match(channel.title, /Public <b>picks<\/b> & more/);
  const items = Array.isArray(channel.item) ? channel.item : [channel.item];
  assert.deepEqual(items.map((i: { link: string }) => i.link.replace(/^.*\/papers\//, '')).sort(), [...ids].sort());
  const atom = await (await get(app, `/feeds/collections/${id}.atom`)).text();
  assert.equal(XMLValidator.validate(atom), true);
  assert.equal(new XMLParser().parse(atom).feed.entry.length, 3);
  const json = (await (await get(app, `/feeds/collections/${id}.json`)).json()) as {
    version: string;
    items: { url: string }[];
  };
  assert.match(json.version, /jsonfeed/);
  assert.equal(json.items.length, 3);
  assert.equal((await get(app, `/feeds/collections/${id}.txt`)).status, 404);
  assert.equal((await get(app, '/feeds/collections/abc.rss')).status, 404);

  const api = (await (await get(app, `/api/collections/${id}`)).json()) as { papers: { id: string }[]; owner: string };
  assert.deepEqual(
    api.papers.map((p) => p.id),
    ids,
  );
  assert.equal(api.owner, 'ada');

  const bib = await get(app, `/collections/${id}.bib`);
  assert.equal(bib.status, 200);
  assert.match(bib.headers.get('content-type')!, /^text\/x-bibtex/);
  const text = await bib.text();
  assert.equal([...text.matchAll(/^@misc\{/gm)].length, 3, 'one entry per paper');
  for (const p of ids) assert.match(text, new RegExp(`^@misc\\{arxiv:${p.replace('.', '\\.')},$`, 'm'));
  assert.doesNotMatch(
    text
      .split('\n')
      .filter((l) => l.startsWith('%'))
      .join('\n'),
    /@/,
    'no @ in comments',
  );
  const titles = [...text.matchAll(/^ {2}title = \{\{(.*)\}\},$/gm)].map((m) => m[1]!);
  assert.equal(titles.length, 3);
  for (const t of titles)
    assert.doesNotMatch(t.replace(/\\[{}$&%#_]|\\text[a-z]+\{\}/g, ''), /[{}$&%#_~^]/, 'specials escaped');
});

test('BibTeX escaping: every special character', () => {
  assert.equal(
    escapeBibtex('50% of {x} & y_1 #2 $5 ~a ^b \\c'),
    '50\\% of \\{x\\} \\& y\\_1 \\#2 \\$5 \\textasciitilde{}a \\textasciicircum{}b \\textbackslash{}c',
  );
  assert.equal(escapeBibtex('line\none\u0000'), 'line one');
});

test('hostile names and descriptions are shown escaped everywhere', async () => {
  const { store, app, ada } = await setUp();
  const [p1] = (await dayPaperIds(store, 1)) as [string];
  const hostile = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
  const id = await create(app, ada, {
    name: hostile.slice(0, 100),
    description: `${hostile}\n<a href="javascript:x">y</a>`,
    visibility: 'public',
  });
  await post(app, `/papers/${p1}/save`, ada, { collection: String(id) });
  for (const path of [`/collections/${id}`, '/collections', `/papers/${p1}`, '/']) {
    const body = await (await get(app, path, ada)).text();
    assert.doesNotMatch(body, /<script>alert|<img src=x|<a href="javascript/, path);
  }
  const atom = await (await get(app, `/feeds/collections/${id}.atom`)).text();
  assert.equal(XMLValidator.validate(atom), true);
  assert.doesNotMatch(atom, /<script>|<img /);
});

test('state changes need the CSRF token; signed-out visitors are sent to sign in', async () => {
  const { store, app, ada } = await setUp();
  const [p1] = (await dayPaperIds(store, 1)) as [string];
  const noToken = (path: string, fields: Record<string, string>) => postForm(app, path, fields, { cookie: ada.cookie });
  assert.equal((await noToken('/collections', { name: 'x' })).status, 403);
  assert.equal((await noToken(`/papers/${p1}/save`, { collection: 'new', name: 'x' })).status, 403);
  assert.equal((await noToken('/follow', { kind: 'organization', target: 'google' })).status, 403);
  assert.equal((await noToken('/for-you/reset', {})).status, 403);
  assert.equal(
    (await postForm(app, '/collections', { _csrf: 'forged', name: 'x' }, { cookie: ada.cookie })).status,
    403,
  );
  assert.deepEqual(await store.collections.collectionsOf((await store.community.getAccountByName('ada'))!.id), []);

  const anonymous = await postForm(app, `/papers/${p1}/save`, { collection: 'new', name: 'x' });
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.headers.get('location')!, /^\/signin\?next=/);
  for (const path of ['/collections', '/for-you', '/following', '/settings/export']) {
    const res = await get(app, path);
    assert.equal(res.status, 303, path);
    assert.match(res.headers.get('location')!, /^\/signin/);
  }
});

test('follow an organization, an author and a search; list and unfollow at /following', async () => {
  const { app, ada } = await setUp();
  const org = await (await get(app, '/orgs/google', ada)).text();
  assert.match(org, /<form class="follow" method="post" action="\/follow">/);
  assert.match(
    await (await get(app, '/orgs/google')).text(),
    /href="\/signin\?next=%2Forgs%2Fgoogle"[^>]*>\+ Follow/,
    'signed out: sign in to follow',
  );
  assert.equal(
    (await post(app, '/follow', ada, { kind: 'organization', target: 'google', return: '/orgs/google' })).status,
    303,
  );
  assert.match(await (await get(app, '/orgs/google', ada)).text(), /✓ Following/);
  assert.equal((await post(app, '/follow', ada, { kind: 'author', target: 'Chengsong Huang' })).status, 303);
  const search = await (await get(app, '/search?q=reasoning', ada)).text();
  assert.match(search, /name="target" value="q=reasoning"/);
  assert.equal((await post(app, '/follow', ada, { kind: 'search', target: 'q=reasoning' })).status, 303);
  assert.equal((await post(app, '/follow', ada, { kind: 'organization', target: 'no-such-org' })).status, 404);
  assert.equal((await post(app, '/follow', ada, { kind: 'planet', target: 'x' })).status, 404);

  const following = await (await get(app, '/following', ada)).text();
  assert.match(following, /href="\/orgs\/google">Google<\/a>/);
  assert.match(following, /href="\/authors\/Chengsong%20Huang">Chengsong Huang<\/a>/);
  assert.match(following, /href="\/search\?q=reasoning">reasoning<\/a>/);
  assert.equal(
    (await post(app, '/unfollow', ada, { kind: 'organization', target: 'google', return: '/following' })).status,
    303,
  );
  assert.doesNotMatch(await (await get(app, '/following', ada)).text(), /href="\/orgs\/google"/);
});

test("the export holds the member's data and nothing of other members", async () => {
  const { store, app, ada, bob } = await setUp();
  const [p1, p2] = (await dayPaperIds(store, 2)) as [string, string];
  await app.request(`/papers/${p1}/upvote`, {
    method: 'POST',
    headers: { cookie: ada.cookie, 'x-csrf-token': ada.csrf, accept: 'application/json' },
  });
  await app.request(`/papers/${p2}/upvote`, {
    method: 'POST',
    headers: { cookie: bob.cookie, 'x-csrf-token': bob.csrf, accept: 'application/json' },
  });
  await post(app, `/papers/${p1}/comments`, ada, { body: "Ada's comment" });
  await post(app, `/papers/${p1}/comments`, bob, { body: "Bob's comment" });
  const mine = await create(app, ada, { name: 'Ada list', visibility: 'private' });
  await post(app, `/papers/${p2}/save`, ada, { collection: String(mine) });
  await create(app, bob, { name: 'Bob list', visibility: 'public' });
  await post(app, '/follow', ada, { kind: 'organization', target: 'google' });
  await post(app, '/follow', bob, { kind: 'author', target: 'Chengsong Huang' });
  await post(app, '/for-you/dismiss', bob, { paper: p1 });

  const res = await get(app, '/settings/export', ada);
  assert.equal(res.status, 200);
  assert.match(
    res.headers.get('content-disposition')!,
    /^attachment; filename="paperboy-ada-\d{4}-\d{2}-\d{2}\.json"$/,
  );
  const text = await res.text();
  const data = JSON.parse(text);
  assert.equal(data.account.name, 'ada');
  assert.equal(data.account.email, 'ada@example.org');
  assert.deepEqual(
    data.upvotes.map((u: { paperId: string }) => u.paperId),
    [p1],
  );
  assert.ok(data.comments.some((c: { body: string }) => c.body === "Ada's comment"));
  assert.deepEqual(
    data.collections.map((c: { name: string }) => c.name),
    ['Ada list'],
  );
  assert.deepEqual(
    data.collections[0].papers.map((p: { paperId: string }) => p.paperId),
    [p2],
  );
  assert.deepEqual(
    data.follows.map((f: { target: string }) => f.target),
    ['google'],
  );
  assert.deepEqual(data.dismissedPapers, []);
  for (const other of ['bob', 'Bob list', "Bob's comment", 'Chengsong Huang'])
    assert.ok(!text.includes(other), `nothing of bob: ${other}`);
  assert.match(await (await get(app, '/settings', ada)).text(), /href="\/settings\/export"/);
});
