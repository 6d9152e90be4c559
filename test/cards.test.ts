/**
 * The paper card, as on Hugging Face's: submitter (a member here links to their page, an imported submitter
 * to their Hugging Face profile), organization and number of authors together, upvotes, local comments
 * apart from Hugging Face's, and a placeholder where there is no thumbnail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore, testApp } from './helpers.ts';
import { entry, madeUp } from './contract/fixtures.ts';

const DAY = '2026-07-24';
const NOW = new Date(`${DAY}T12:00:00.000Z`);
const ORG = { name: 'acme', fullname: 'Acme Research', avatar: null, externalId: null };

test('cards name the submitter, the organization with the number of authors, and count local comments apart', async () => {
  const store = memoryStore();
  const authors = ['A', 'B', 'C'].map((name) => ({ name, externalId: null, hidden: false }));
  await store.importBatch({
    papers: [madeUp(1, { organization: ORG, authors, upvotes: 12, numComments: 8 }), madeUp(2, { upvotes: 3 })],
    entries: [
      entry(DAY, '2101.00001', 0, {
        submittedBy: { name: 'taesiri', fullname: 'Taesiri', avatarUrl: null, externalId: '6039478ab3ecf716b1a5fd4d' },
      }),
    ],
    replaceDays: [],
  });
  // A member of this instance submits the second paper and comments on it.
  const ada = await store.community.accountForEmail('ada@example.org', NOW);
  await store.community.submitPaper('2101.00002', ada.id, DAY, NOW);
  await store.community.addComment('2101.00002', ada.id, null, 'A first local comment.', NOW);

  const app = testApp(store, { PAPERBOY_IMAGES: '0' });
  const body = await (await app.request(`/papers/date/${DAY}`)).text();
  const [imported, local] = body.split('<article class="card">').slice(1) as [string, string];
  assert.match(imported, /href="\/papers\/2101\.00001"/);

  assert.match(
    imported,
    /<p class="card-by">Submitted by <a href="https:\/\/huggingface\.co\/taesiri" title="taesiri on Hugging Face"><span class="avatar avatar-sm">[\s\S]*?<span>taesiri<\/span><\/a><\/p>/,
  );
  assert.match(imported, /<a class="card-org" href="\/orgs\/acme"[^>]*>[\s\S]*?<span>Acme Research<\/span><\/a>/);
  assert.match(imported, /<span class="card-authors">3 authors<\/span>/, 'authors counted beside the organization');
  assert.match(imported, /<span class="vote-count">12<\/span>/);
  assert.match(imported, /8 on Hugging Face/);
  assert.doesNotMatch(imported, /<span class="stat" title="\d+ comments?"/, 'no local discussion: no local count');
  assert.match(imported, /<div class="card-thumb card-thumb-none" aria-hidden="true"><\/div>/);
  assert.doesNotMatch(imported, /<img src="[^"]*thumbnail/);

  const handle = ada.name;
  assert.match(
    local,
    new RegExp(
      `<p class="card-by">Submitted by <a href="/members/${handle}" title="[^"]*">[\\s\\S]*?<span>${handle}</span></a>`,
    ),
  );
  assert.doesNotMatch(local, /huggingface\.co\//, 'a member of this instance is not sent to Hugging Face');
  assert.match(local, /<span class="stat" title="1 comment">/);
  assert.doesNotMatch(local, /card-org/);
  assert.match(local, /<span class="card-authors">1 author<\/span>/);
});
