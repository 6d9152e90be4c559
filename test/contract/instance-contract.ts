/**
 * The contract of the instance facet (the identity settings and their change log), run on every backend: saves
 * are all-or-nothing against the version they were read at, every changed field is logged once, a save moves
 * the data version seen by another connection.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { ContractBackend } from './backends.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

export function instanceContract(backend: () => ContractBackend): void {
  const setUp = async (t: TestContext) => {
    const store: Store = await backend().open(t);
    const ada = await store.community.accountForEmail('ada@example.org', NOW);
    return { store, ada, s: store.instance };
  };

  describe('instance', () => {
    test('nothing is set at first: every field is null, version 0, no log', async (t) => {
      const { s } = await setUp(t);
      const stored = await s.settings();
      assert.equal(stored.version, 0);
      assert.equal(stored.updatedAt, null);
      assert.deepEqual(Object.values(stored.settings), [null, null, null, null, null, null]);
      assert.deepEqual(await s.settingChanges(10), []);
    });

    test('a save writes the fields given, keeps the others, and logs each change with old and new value', async (t) => {
      const { s, ada } = await setUp(t);
      const first = await s.updateSettings({ name: 'Lab Papers', accent: '#0f766e' }, 0, ada.id, NOW);
      assert.deepEqual(first, { status: 'saved', version: 1, changed: ['name', 'accent'] });
      const second = await s.updateSettings({ name: 'Lab Papers', about: 'Be kind.' }, 1, ada.id, later(1));
      assert.deepEqual(second, { status: 'saved', version: 2, changed: ['about'] }, 'an unchanged field is not logged');
      const third = await s.updateSettings({ accent: null }, 2, ada.id, later(2));
      assert.equal(third.status, 'saved');

      const stored = await s.settings();
      assert.equal(stored.version, 3);
      assert.equal(stored.updatedAt, later(2).toISOString());
      assert.deepEqual(stored.settings, {
        name: 'Lab Papers',
        description: null,
        logo: null,
        accent: null,
        contact: null,
        about: 'Be kind.',
      });
      const log = await s.settingChanges(10);
      assert.deepEqual(
        log.map((c) => [c.field, c.oldValue, c.newValue, c.by, c.at]),
        [
          ['accent', '#0f766e', null, ada.name, later(2).toISOString()],
          ['about', null, 'Be kind.', ada.name, later(1).toISOString()],
          ['accent', null, '#0f766e', ada.name, NOW.toISOString()],
          ['name', null, 'Lab Papers', ada.name, NOW.toISOString()],
        ],
        'newest first',
      );
      assert.equal((await s.settingChanges(1)).length, 1);
    });

    test('a save read at an older version is refused whole; one that changes nothing writes nothing', async (t) => {
      const { s, ada } = await setUp(t);
      await s.updateSettings({ name: 'First' }, 0, ada.id, NOW);
      const stale = await s.updateSettings({ name: 'Second', contact: 'x@example.org' }, 0, ada.id, later(1));
      assert.deepEqual(stale, { status: 'conflict', version: 1 });
      assert.deepEqual(await s.updateSettings({ name: 'First' }, 1, ada.id, later(2)), {
        status: 'unchanged',
        version: 1,
      });
      const stored = await s.settings();
      assert.equal(stored.settings.name, 'First');
      assert.equal(stored.settings.contact, null, 'nothing of the refused save');
      assert.equal(stored.version, 1);
      assert.equal((await s.settingChanges(10)).length, 1);
    });

    test('two saves at once from two connections: exactly one wins', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const ada = await a.community.accountForEmail('ada@example.org', NOW);
      const results = await Promise.all([
        a.instance.updateSettings({ name: 'From A' }, 0, ada.id, NOW),
        b.instance.updateSettings({ name: 'From B' }, 0, ada.id, NOW),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['conflict', 'saved']);
      const winner = results[0]!.status === 'saved' ? 'From A' : 'From B';
      assert.equal((await b.instance.settings()).settings.name, winner);
      assert.equal((await a.instance.settingChanges(10)).length, 1);
    });

    test('a save moves the data version another connection sees (cached pages show it at once)', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const ada = await a.community.accountForEmail('ada@example.org', NOW);
      const before = await b.dataVersion();
      await a.instance.updateSettings({ name: 'Renamed' }, 0, ada.id, NOW);
      assert.notEqual(await b.dataVersion(), before);
      assert.equal((await b.instance.settings()).settings.name, 'Renamed');
    });
  });
}
