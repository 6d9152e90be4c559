/**
 * The store contract on PGlite: the PostgreSQL store on PostgreSQL 17 compiled to WebAssembly, with pgvector.
 * This is where the vector contract of the PostgreSQL store runs when the server in use has no pgvector.
 */
import { after, describe } from 'node:test';
import { PgliteBackend } from './backends.ts';
import { storeContract, vectorContract } from './store-contract.ts';
import { communityContract, subscriptionContract } from './facet-contract.ts';
import { collectionContract } from './collection-contract.ts';
import { imageContract } from './image-contract.ts';
import { accessContract } from './access-contract.ts';
import { claimContract } from './claim-contract.ts';

const backend = new PgliteBackend();
await backend.start();
after(() => backend.close());

describe('store contract [pglite]', () => storeContract(() => backend));
describe('vector contract [pglite]', () => vectorContract(() => backend));
describe('community contract [pglite]', () => communityContract(() => backend));
describe('subscription contract [pglite]', () => subscriptionContract(() => backend));
describe('collection contract [pglite]', () => collectionContract(() => backend));
describe('image contract [pglite]', () => imageContract(() => backend));
describe('access contract [pglite]', () => accessContract(() => backend));
describe('claim contract [pglite]', () => claimContract(() => backend));
