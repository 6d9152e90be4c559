/**
 * The paper page through the HTTP app: its citation (/papers/:id.bib and the Cite box), the tags Zotero, Google
 * Scholar and link previews read, who upvoted, the submitter, the links form, and the page of a missing id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, TEST_ORIGIN, memoryStore, tempDir } from './helpers.ts';
import { communityApp, postForm, signIn, type Member } from './community-helpers.ts';
import { png } from './image-fixtures.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/server/app.ts';
import { createImageCache } from '../src/images/image-cache.ts';
import { bibtexEntry } from '../src/domain/citation.ts';
import type { Store } from '../src/store/store.ts';
import type { PaperInput } from '../src/domain/types.ts';

const HOSTILE_TITLE = `Quotes " and ' </script><script>alert(1)</script> & <b>bold</b>`;
const HOSTILE_AUTHOR = `Eve "</script><img src=x onerror=alert(2)>`;
/** A paper the test makes, on nobody's feed until a member submits it. */
const OWN_ID = '2608.00042';
const HOSTILE_ID = '2608.00666';
const OLD_STYLE_ID = 'hep-th/9901001';

function made(id: string, fields: Partial<PaperInput> = {}): PaperInput {
  return {
    id,
    title: `A paper of the test ${id}`,
    summary: 'An abstract long enough to describe the paper in a preview.',
    publishedAt: '2026-08-20T12:00:00.000Z',
    authors: ['Ada Lovelace', 'Charles Babbage'].map((name) => ({ name, externalId: null, hidden: false })),
    categories: ['cs.LG'],
    ...fields,
  };
}

async function seeded(): Promise<Store> {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  await store.importBatch({
    papers: [
      made(OWN_ID),
      made(OLD_STYLE_ID, { categories: ['hep-th'] }),
      made(HOSTILE_ID, {
        title: HOSTILE_TITLE,
        authors: [HOSTILE_AUTHOR, 'Bob Smith'].map((name) => ({ name, externalId: null, hidden: false })),
        summary: `Summary with "quotes" and </script> in it.`,
      }),
    ],
    entries: [],
    replaceDays: [],
  });
  return store;
}

const page = async (
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  path: string,
  member?: Member,
) => app.request(path, member ? { headers: { cookie: member.cookie } } : {});

/** The value of a meta tag, decoded the way a browser (or Zotero) reads the attribute. */
function metaValues(body: string, attribute: 'name' | 'property', key: string): string[] {
  const decode = (text: string) =>
    text
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  return [...body.matchAll(new RegExp(`<meta ${attribute}="${key}" content="([^"]*)">`, 'g'))].map((m) =>
    decode(m[1]!),
  );
}

test('/papers/:id.bib is the BibTeX entry, and the page has a Cite box that works without JavaScript', async () => {
  const store = await seeded();
  const { app } = communityApp(store);
  const paper = (await store.getPaper(OWN_ID))!;
  const bib = await app.request(`/papers/${OWN_ID}.bib`);
  assert.equal(bib.status, 200);
  assert.match(bib.headers.get('content-type')!, /^text\/x-bibtex; charset=utf-8/);
  const text = await bib.text();
  assert.equal(text, bibtexEntry(paper));
  for (const field of [
    `@misc{arxiv:${OWN_ID},`,
    'author = {Lovelace, Ada and Babbage, Charles}',
    `eprint = {${OWN_ID}}`,
    'archivePrefix = {arXiv}',
    'primaryClass = {cs.LG}',
    `url = {https://arxiv.org/abs/${OWN_ID}}`,
  ])
    assert.ok(text.includes(field), field);

  const old = await app.request(`/papers/${OLD_STYLE_ID}.bib`);
  assert.equal(old.status, 200, 'old-style ids keep their slash in the address');
  assert.match(
    await old.text(),
    /^@misc\{arxiv:hep-th-9901001,\n[\s\S]*eprint = \{hep-th\/9901001\},\n {2}archivePrefix = \{arXiv\},\n {2}primaryClass = \{hep-th\},/,
  );
  for (const missing of ['/papers/2401.00001.bib', '/papers/banana.bib'])
    assert.equal((await app.request(missing)).status, 404, missing);

  const body = await (await app.request(`/papers/${OWN_ID}`)).text();
  const cite = /<details class="side-card cite-box" id="cite">([\s\S]*?)<\/details>/.exec(body)?.[1];
  assert.ok(cite, 'the Cite box is a <details>: it opens without a script');
  assert.match(cite, /<code>@misc\{arxiv:2608\.00042,\n {2}title = \{\{A paper of the test 2608\.00042\}\},/);
  assert.match(
    cite,
    /Lovelace, A\., &amp; Babbage, C\. \(2026\)\. A paper of the test 2608\.00042\. arXiv:2608\.00042 \[cs\.LG\]\./,
  );
  assert.match(cite, /href="\/papers\/2608\.00042\.bib" download/);
  assert.match(
    cite,
    /<button type="button" class="button button-small copy-button" data-copy="cite-bibtex" hidden>/,
    'copy buttons wait for the script',
  );
  assert.match(
    body,
    /<script src="\/static\/client\.[0-9a-f]+\.js" defer><\/script>/,
    'the script (same origin) is loaded for everyone here',
  );
});

test('citation, OpenGraph and Twitter tags name the paper; hostile titles and names stay inside their attributes', async () => {
  const store = await seeded();
  const outboxDir = tempDir('paperboy-outbox-');
  const config = loadConfig({
    PUBLIC_URL: TEST_ORIGIN,
    OUTBOX_DIR: outboxDir,
    IMAGE_DIR: tempDir('paperboy-images-'),
    PAPERBOY_IMAGES: '0',
  });
  const logger = createLogger('silent');
  const images = createImageCache({ store, config, logger });
  const app = createApp({ store, config, logger, images });

  const body = await (await app.request(`/papers/${HOSTILE_ID}`)).text();
  assert.deepEqual(metaValues(body, 'name', 'citation_title'), [HOSTILE_TITLE]);
  assert.deepEqual(metaValues(body, 'name', 'citation_author'), [
    // Inverted by the BibTeX rule ("src=x" starts lower-case, as "van" would), and intact.
    'src=x onerror=alert(2)>, Eve "</script><img',
    'Smith, Bob',
  ]);
  assert.deepEqual(metaValues(body, 'name', 'citation_publication_date'), ['2026/08/20']);
  assert.deepEqual(metaValues(body, 'name', 'citation_date'), ['2026/08/20']);
  assert.deepEqual(metaValues(body, 'name', 'citation_arxiv_id'), [HOSTILE_ID]);
  assert.deepEqual(metaValues(body, 'name', 'citation_pdf_url'), [`https://arxiv.org/pdf/${HOSTILE_ID}`]);
  assert.deepEqual(metaValues(body, 'property', 'og:type'), ['article']);
  assert.deepEqual(metaValues(body, 'property', 'og:title'), [HOSTILE_TITLE]);
  assert.deepEqual(metaValues(body, 'property', 'og:url'), [`${TEST_ORIGIN}/papers/${HOSTILE_ID}`]);
  assert.deepEqual(metaValues(body, 'property', 'og:description'), ['Summary with "quotes" and </script> in it.']);
  assert.deepEqual(metaValues(body, 'name', 'twitter:card'), ['summary']);
  assert.deepEqual(metaValues(body, 'name', 'twitter:title'), [HOSTILE_TITLE]);
  assert.deepEqual(metaValues(body, 'property', 'og:image'), [], 'no thumbnail yet, no picture');
  // Nothing of the hostile text becomes markup: no script but the site's own, no injected element.
  assert.deepEqual(
    [...body.matchAll(/<script[^>]*>/g)].map((m) => m[0]),
    [body.match(/<script src="\/static\/client\.[0-9a-f]+\.js" defer>/)![0]],
  );
  assert.doesNotMatch(body, /<img src=x|<b>bold|onerror=alert\(2\)>/);
  assert.doesNotMatch(body, /<\/script><script>alert/);

  // Once the image cache has the paper's thumbnail, link previews show it.
  await images.put(`thumbnail:${OWN_ID}`, png(64, 80));
  const own = await (await app.request(`/papers/${OWN_ID}`)).text();
  const [image] = metaValues(own, 'property', 'og:image');
  assert.match(image ?? '', /^http:\/\/paperboy\.test\/images\/[0-9a-f]{64}\.png$/);
  assert.deepEqual(metaValues(own, 'name', 'twitter:image'), [image]);
  assert.deepEqual(metaValues(own, 'name', 'twitter:card'), ['summary_large_image']);
  assert.equal((await app.request(new URL(image!).pathname)).status, 200, 'the picture is served here');
});

test('members see who upvoted: names of those who allow it, the others counted; visitors see no names', async () => {
  const store = await seeded();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada-upvotes' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob-private' });
  const cy = await signIn(app, outboxDir, 'cy@example.org', { handle: 'cy-reader' });
  const bobAccount = (await store.community.getAccountByName('bob-private'))!;
  await store.community.setUpvotesPublic(bobAccount.id, false);
  for (const m of [ada, bob])
    assert.equal(
      (await postForm(app, `/papers/${OWN_ID}/upvote`, { _csrf: m.csrf }, { cookie: m.cookie })).status,
      303,
    );

  const seen = await (await page(app, `/papers/${OWN_ID}`, cy)).text();
  const card = /<section class="side-card upvoters"[\s\S]*?<\/section>/.exec(seen)?.[0];
  assert.ok(card, 'a member sees the upvoters');
  assert.match(card, /href="\/members\/ada-upvotes"/);
  assert.doesNotMatch(card, /bob-private/, 'a member who hides their upvotes is not named');
  assert.match(card, /1 member who keeps their upvotes private/);

  const anonymous = await (await app.request(`/papers/${OWN_ID}`)).text();
  assert.doesNotMatch(anonymous, /Upvoted by|ada-upvotes/, 'visitors see the count only');
  assert.match(anonymous, /<span class="vote-count">2<\/span>/, 'the count includes the private upvote');

  // A paper imported with Hugging Face upvotes says how many came from there.
  const [imported] = await store.listDaily({
    firstDay: '2026-08-21',
    lastDay: '2026-08-21',
    sort: 'upvotes',
    offset: 0,
    limit: 1,
  });
  const hf = await (await page(app, `/papers/${imported!.paper.id}`, cy)).text();
  assert.match(hf, /No member has upvoted this paper here yet\./);
  assert.match(hf, new RegExp(`${imported!.paper.upvotes} upvotes imported from Hugging Face`));
});

test('"Submitted by" links to the member; only the submitter and moderators edit the links, CSRF-checked and logged', async () => {
  const store = await seeded();
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada-submits' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob-other' });
  const mod = await signIn(app, outboxDir, 'mod@example.org', { handle: 'mod-links' });
  const adaAccount = (await store.community.getAccountByName('ada-submits'))!;
  await store.community.setRole((await store.community.getAccountByName('mod-links'))!.id, 'moderator');
  await store.community.submitPaper(OWN_ID, adaAccount.id, '2026-08-21', new Date());
  const links = `/papers/${OWN_ID}/links`;

  const shown = await (await page(app, `/papers/${OWN_ID}`, bob)).text();
  assert.match(shown, /Submitted by <a href="\/members\/ada-submits">/);
  assert.doesNotMatch(shown, /Edit project page and repository/, 'others are not offered the form');
  assert.match(
    await (await page(app, `/papers/${OWN_ID}`, ada)).text(),
    new RegExp(`href="${links}">Edit project page and repository`),
  );
  assert.match(await (await page(app, `/papers/${OWN_ID}`, mod)).text(), /Edit project page and repository/);

  const signedOut = await app.request(links);
  assert.equal(signedOut.status, 303);
  assert.equal(signedOut.headers.get('location'), `/signin?next=${encodeURIComponent(links)}`);
  assert.equal((await page(app, links, bob)).status, 403);
  const fields = {
    github_repo: 'github.com/ada/engine',
    project_page: 'https://ada.example/engine',
    expected_github_repo: '',
    expected_project_page: '',
  };
  assert.equal((await postForm(app, links, { ...fields, _csrf: bob.csrf }, { cookie: bob.cookie })).status, 403);
  assert.equal((await postForm(app, links, fields, { cookie: ada.cookie })).status, 403, 'no token, no change');
  assert.equal((await store.getPaper(OWN_ID))!.githubRepo, null);

  const form = await (await page(app, links, ada)).text();
  assert.match(form, /name="_csrf" value="[^"]+"/);
  assert.match(form, /name="expected_github_repo" value=""/);

  const saved = await postForm(app, links, { ...fields, _csrf: ada.csrf }, { cookie: ada.cookie });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), `/papers/${OWN_ID}`);
  const after = await (await app.request(`/papers/${OWN_ID}`)).text();
  assert.match(after, /href="https:\/\/github\.com\/ada\/engine"/);
  assert.match(after, /href="https:\/\/ada\.example\/engine"/);
  assert.match(after, /Links edited by <a href="\/members\/ada-submits">@ada-submits<\/a>/);

  // A form from before that edit does not overwrite it: the member sees the links as they are now.
  const stale = await postForm(
    app,
    links,
    { ...fields, github_repo: 'https://github.com/bob/fork', _csrf: mod.csrf },
    { cookie: mod.cookie },
  );
  assert.equal(stale.status, 409);
  const staleBody = await stale.text();
  assert.match(staleBody, /Someone changed these links while you were editing/);
  assert.match(staleBody, /name="github_repo"[^>]*value="https:\/\/github\.com\/ada\/engine"/);
  assert.equal((await store.getPaper(OWN_ID))!.githubRepo, 'https://github.com/ada/engine');

  // Bad links come back with what was typed, escaped, and a message by each field; nothing is written.
  const hostile = `https://github.com/ada/x"><script>alert(1)</script>`;
  const invalid = await postForm(
    app,
    links,
    {
      github_repo: hostile,
      project_page: 'http://ada.example',
      expected_github_repo: 'https://github.com/ada/engine',
      expected_project_page: 'https://ada.example/engine',
      _csrf: mod.csrf,
    },
    { cookie: mod.cookie },
  );
  assert.equal(invalid.status, 400);
  const invalidBody = await invalid.text();
  assert.match(invalidBody, /id="github_repo-error">The repository must be a GitHub repository address/);
  assert.match(invalidBody, /id="project_page-error">The project page must be an https:\/\/ address/);
  assert.doesNotMatch(invalidBody, /<script>alert/);
  assert.match(invalidBody, /value="https:\/\/github\.com\/ada\/x&quot;&gt;&lt;script&gt;/);

  // A moderator clears the project page; the log under the form says who did what, newest first.
  const cleared = await postForm(
    app,
    links,
    {
      github_repo: 'https://github.com/ada/engine',
      project_page: '',
      expected_github_repo: 'https://github.com/ada/engine',
      expected_project_page: 'https://ada.example/engine',
      _csrf: mod.csrf,
    },
    { cookie: mod.cookie },
  );
  assert.equal(cleared.status, 303);
  assert.equal((await store.getPaper(OWN_ID))!.projectPage, null);
  const log = await (await page(app, links, ada)).text();
  const entries = [...log.matchAll(/<li><p><time[^>]*>[^<]*<\/time>, by <a href="\/members\/([^"]+)">/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(entries, ['mod-links', 'ada-submits']);
  assert.match(log, /Project page: <code>https:\/\/ada\.example\/engine<\/code> → <em>none<\/em>/);

  // Each member's data download holds their own edits, and only theirs.
  const exported = async (m: Member) =>
    (
      (await (await page(app, '/settings/export', m)).json()) as {
        linkEdits: { after: { projectPage: string | null } }[];
      }
    ).linkEdits;
  assert.deepEqual(
    (await exported(ada)).map((e) => e.after.projectPage),
    ['https://ada.example/engine'],
  );
  assert.deepEqual(
    (await exported(mod)).map((e) => e.after.projectPage),
    [null],
  );
  assert.deepEqual(await exported(bob), []);

  // A hidden paper has no links to edit.
  await store.community.hidePaper(
    OWN_ID,
    (await store.community.getAccountByName('mod-links'))!.id,
    'test',
    new Date(),
  );
  assert.equal((await page(app, links, mod)).status, 404);
  assert.equal((await app.request(`/papers/${OWN_ID}.bib`)).status, 404, 'nor a citation');
});

test('a valid arXiv id that is not here gets a page with the arXiv link and a prefilled submit button; nonsense a plain 404', async () => {
  const store = await seeded();
  const { app, outboxDir } = communityApp(store);
  const missing = await app.request('/papers/2401.00001');
  assert.equal(missing.status, 404);
  const body = await missing.text();
  assert.match(body, /Paperboy does not have arXiv 2401\.00001/);
  assert.match(body, /href="https:\/\/arxiv\.org\/abs\/2401\.00001"/);
  assert.match(body, /href="\/submit\?id=2401\.00001"/);
  assert.match(body, /<title>arXiv 2401\.00001 is not on Paperboy · Paperboy<\/title>/);

  const nonsense = await app.request('/papers/banana');
  assert.equal(nonsense.status, 404);
  const nonsenseBody = await nonsense.text();
  assert.doesNotMatch(nonsenseBody, /submit\?id|arxiv\.org\/abs/, 'an invalid id is offered nothing to submit');
  assert.match(nonsenseBody, /is not an arXiv identifier/);

  const toSignIn = await app.request('/submit?id=2401.00001');
  assert.equal(toSignIn.status, 303);
  assert.equal(toSignIn.headers.get('location'), `/signin?next=${encodeURIComponent('/submit?id=2401.00001')}`);
  const ada = await signIn(app, outboxDir, 'ada@example.org');
  const form = await (await page(app, '/submit?id=2401.00001', ada)).text();
  assert.match(form, /<input id="paper" name="paper"[^>]*value="2401\.00001">/);
  const junk = await (await page(app, `/submit?id=${encodeURIComponent('"><script>x</script>')}`, ada)).text();
  assert.match(junk, /<input id="paper" name="paper"[^>]*value="">/, 'anything but an arXiv id is ignored');
  assert.doesNotMatch(junk, /<script>x/);
});
