/**
 * The store contract on a real PostgreSQL server, found by PAPERBOY_TEST_POSTGRES_URL (`npm test` starts one).
 * Without the variable, or without a server behind it, these tests fail and say how to start one: they are
 * never skipped. The vector contract runs here when the server has pgvector; without it, a test checks that
 * storing vectors says so (and the vector contract runs on PGlite, see pglite.test.ts).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE, PostgresBackend } from './backends.ts';
import { storeContract, vectorContract } from './store-contract.ts';
import { communityContract, subscriptionContract } from './facet-contract.ts';
import { collectionContract } from './collection-contract.ts';
import { imageContract } from './image-contract.ts';
import { summaryContract } from './summary-contract.ts';
import { accessContract } from './access-contract.ts';
import { tokenContract } from './token-contract.ts';
import { upkeepContract } from './upkeep-contract.ts';
import { instanceContract } from './instance-contract.ts';
import { paperPageContract } from './paper-page-contract.ts';
import { claimContract } from './claim-contract.ts';
import { importContract } from './import-contract.ts';
import { madeUp } from './fixtures.ts';

const url = process.env[POSTGRES_URL_VARIABLE];
let backend: PostgresBackend | null = null;
let problem: string | null = url ? null : `${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`;
if (url) {
  backend = new PostgresBackend(url);
  try {
    await backend.connect();
  } catch (error) {
    problem = (error as Error).message;
  }
  after(() => backend!.close());
}

if (problem !== null || backend === null) {
  describe('store contract [postgres]', () => {
    test('needs a PostgreSQL server', () => assert.fail(problem ?? 'no server'));
  });
} else {
  const server = backend;
  describe('store contract [postgres]', () => storeContract(() => server));
  describe('community contract [postgres]', () => communityContract(() => server));
  describe('subscription contract [postgres]', () => subscriptionContract(() => server));
  describe('collection contract [postgres]', () => collectionContract(() => server));
  describe('image contract [postgres]', () => imageContract(() => server));
  describe('summary contract [postgres]', () => summaryContract(() => server));
  describe('access contract [postgres]', () => accessContract(() => server));
  describe('token contract [postgres]', () => tokenContract(() => server));
  describe('upkeep contract [postgres]', () => upkeepContract(() => server));
  describe('instance contract [postgres]', () => instanceContract(() => server));
  describe('paper page contract [postgres]', () => paperPageContract(() => server));
  describe('claim contract [postgres]', () => claimContract(() => server));
  describe('import contract [postgres]', () => importContract(() => server));
  if (server.vectors) {
    describe('vector contract [postgres]', () => vectorContract(() => server));
  } else {
    describe('vector contract [postgres]: this server has no pgvector, so the vector contract runs on PGlite', () => {
      test('storing vectors fails with a message that names pgvector; reading finds none', async (t) => {
        const store = await server.open(t);
        await store.importBatch({ papers: [madeUp(1)], entries: [], replaceDays: [] });
        await assert.rejects(
          store.putVectors('model', 2, [{ id: '2101.00001', vector: new Float32Array([1, 0]) }]),
          /pgvector/,
        );
        assert.equal(await store.countVectors('model'), 0);
        assert.deepEqual(await store.searchVectors('model', new Float32Array([1, 0]), 5, {}), []);
        assert.deepEqual(
          (await store.papersWithoutVector('model', 5)).map((p) => p.id),
          ['2101.00001'],
        );
      });
    });
  }
}
