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
import { summaryContract } from './summary-contract.ts';
import { accessContract } from './access-contract.ts';
import { tokenContract } from './token-contract.ts';
import { upkeepContract } from './upkeep-contract.ts';
import { instanceContract } from './instance-contract.ts';
import { paperPageContract } from './paper-page-contract.ts';
import { claimContract } from './claim-contract.ts';
import { importContract } from './import-contract.ts';

const backend = new PgliteBackend();
await backend.start();
after(() => backend.close());

describe('store contract [pglite]', () => storeContract(() => backend));
describe('vector contract [pglite]', () => vectorContract(() => backend));
describe('community contract [pglite]', () => communityContract(() => backend));
describe('subscription contract [pglite]', () => subscriptionContract(() => backend));
describe('collection contract [pglite]', () => collectionContract(() => backend));
describe('image contract [pglite]', () => imageContract(() => backend));
describe('summary contract [pglite]', () => summaryContract(() => backend));
describe('access contract [pglite]', () => accessContract(() => backend));
describe('token contract [pglite]', () => tokenContract(() => backend));
describe('upkeep contract [pglite]', () => upkeepContract(() => backend));
describe('instance contract [pglite]', () => instanceContract(() => backend));
describe('paper page contract [pglite]', () => paperPageContract(() => backend));
describe('claim contract [pglite]', () => claimContract(() => backend));
describe('import contract [pglite]', () => importContract(() => backend));
