/** The store contract on the embedded backend: SQLite in memory (a temporary file where two connections share it). */
import { describe } from 'node:test';
import { sqliteBackend } from './backends.ts';
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

describe('store contract [sqlite]', () => storeContract(() => sqliteBackend));
describe('vector contract [sqlite]', () => vectorContract(() => sqliteBackend));
describe('community contract [sqlite]', () => communityContract(() => sqliteBackend));
describe('subscription contract [sqlite]', () => subscriptionContract(() => sqliteBackend));
describe('collection contract [sqlite]', () => collectionContract(() => sqliteBackend));
describe('image contract [sqlite]', () => imageContract(() => sqliteBackend));
describe('summary contract [sqlite]', () => summaryContract(() => sqliteBackend));
describe('access contract [sqlite]', () => accessContract(() => sqliteBackend));
describe('token contract [sqlite]', () => tokenContract(() => sqliteBackend));
describe('upkeep contract [sqlite]', () => upkeepContract(() => sqliteBackend));
describe('instance contract [sqlite]', () => instanceContract(() => sqliteBackend));
describe('paper page contract [sqlite]', () => paperPageContract(() => sqliteBackend));
describe('claim contract [sqlite]', () => claimContract(() => sqliteBackend));
