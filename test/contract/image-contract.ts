/**
 * The contract of the images facet (what the image cache knows of each source, and bytes by SHA-256),
 * written once and run on every backend beside the other facets.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { MAX_IMAGE_SOURCE_BYTES } from '../../src/store/image-store.ts';
import type { ContractBackend } from './backends.ts';
import { entry, madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const CDN = 'https://cdn-avatars.example.org';
const HASH = 'a'.repeat(64);

export function imageContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  /** Organizations and members with avatars: remote ones, a relative path (as Hugging Face's default avatars are), none. */
  const withAvatars = async (t: TestContext): Promise<Store> => {
    const store = await backend().open(t);
    const org = (n: string, avatar: string | null) => ({ name: n, fullname: n, avatar, externalId: null });
    const member = (n: string, avatarUrl: string | null) => ({ name: n, fullname: n, avatarUrl, externalId: null });
    await store.importBatch({
      papers: [
        madeUp(1, { organization: org('acme', `${CDN}/acme.png`) }),
        madeUp(2, { organization: org('beta', `${CDN}/shared.png`) }),
        madeUp(3, { organization: org('gamma', null) }),
        madeUp(4, { organization: org('delta', '/avatars/default.svg') }),
      ],
      entries: [
        entry('2026-08-21', '2101.00001', 0, { submittedBy: member('ada', `${CDN}/shared.png`) }),
        entry('2026-08-21', '2101.00002', 1, { submittedBy: member('bob', 'http://www.gravatar.example/avatar/1') }),
        entry('2026-08-21', '2101.00003', 2, { submittedBy: member('cy', null) }),
        // Longer than any avatar address, too long for an index entry: not asked for.
        entry('2026-08-21', '2101.00004', 3, {
          submittedBy: member('dee', `${CDN}/${'é'.repeat(MAX_IMAGE_SOURCE_BYTES)}.png`),
        }),
      ],
      replaceDays: [],
    });
    return store;
  };

  describe('image cache records', () => {
    test('avatars are asked for once each; relative paths and missing ones are not', async (t) => {
      const store = await withAvatars(t);
      assert.equal(await store.images.requestAvatars(NOW), 3, `${name()}: acme, the shared one, bob's`);
      assert.equal(await store.images.requestAvatars(later(60)), 0, 'asked for already');
      assert.equal(
        await store.images.request(
          [
            `${CDN}/acme.png`,
            'thumbnail:2101.00001',
            'thumbnail:2101.00001',
            `${CDN}/${'x'.repeat(MAX_IMAGE_SOURCE_BYTES)}`,
          ],
          NOW,
        ),
        1,
      );
      const due = await store.images.due(NOW, null, 10);
      assert.deepEqual(
        due.map((d) => d.source),
        ['http://www.gravatar.example/avatar/1', `${CDN}/acme.png`, `${CDN}/shared.png`, 'thumbnail:2101.00001'],
        `${name()}: in code point order`,
      );
      assert.deepEqual(due[1], {
        source: `${CDN}/acme.png`,
        status: 'pending',
        sha256: null,
        contentType: null,
        size: null,
        attempts: 0,
        lastError: null,
        retryAt: null,
        requestedAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      });
      assert.deepEqual(
        (await store.images.due(NOW, 'http://www.gravatar.example/avatar/1', 2)).map((d) => d.source),
        [`${CDN}/acme.png`, `${CDN}/shared.png`],
        'the next ones after a source',
      );
      assert.deepEqual(await store.images.counts(), { pending: 4, cached: 0, failed: 0 });
      assert.equal(await store.images.get('https://nowhere.example/x.png'), null);
    });

    test('cached and failed images: what is due, what a refresh reads, what is forgotten', async (t) => {
      const store = await withAvatars(t);
      await store.images.requestAvatars(NOW);
      await store.images.markCached(
        `${CDN}/acme.png`,
        { sha256: HASH, contentType: 'image/png', size: 1234 },
        later(1),
      );
      await store.images.markFailed(`${CDN}/shared.png`, 'HTTP 503', later(3600), later(2));
      await store.images.markFailed('http://www.gravatar.example/avatar/1', 'HTTP 404', null, later(3));
      // Bytes made here: recorded though never asked for.
      await store.images.markCached(
        'thumbnail:2101.00001',
        { sha256: 'b'.repeat(64), contentType: 'image/jpeg', size: 10 },
        later(4),
      );

      const acme = (await store.images.get(`${CDN}/acme.png`))!;
      assert.deepEqual(
        [acme.status, acme.sha256, acme.contentType, acme.size, acme.updatedAt],
        ['cached', HASH, 'image/png', 1234, later(1).toISOString()],
      );
      const shared = (await store.images.get(`${CDN}/shared.png`))!;
      assert.deepEqual(
        [shared.status, shared.attempts, shared.lastError, shared.retryAt],
        ['failed', 1, 'HTTP 503', later(3600).toISOString()],
      );

      assert.deepEqual(await store.images.due(later(10), null, 10), [], 'nothing due before the retry time');
      assert.deepEqual(
        (await store.images.due(later(3600), null, 10)).map((d) => d.source),
        [`${CDN}/shared.png`],
        'due at its retry time; a final failure never',
      );
      await store.images.markFailed(`${CDN}/shared.png`, 'timeout', later(7200), later(3601));
      assert.equal((await store.images.get(`${CDN}/shared.png`))!.attempts, 2);
      await store.images.markCached(
        `${CDN}/shared.png`,
        { sha256: HASH, contentType: 'image/png', size: 1234 },
        later(7201),
      );
      const fixed = (await store.images.get(`${CDN}/shared.png`))!;
      assert.deepEqual(
        [fixed.status, fixed.attempts, fixed.lastError, fixed.retryAt],
        ['cached', 0, null, null],
        'a success clears the failures',
      );

      assert.deepEqual((await store.images.cachedSince(null)).map((c) => c.source).sort(), [
        `${CDN}/acme.png`,
        `${CDN}/shared.png`,
        'thumbnail:2101.00001',
      ]);
      const recent = (await store.images.cachedSince(later(4))).sort((a, b) => (a.source < b.source ? -1 : 1));
      assert.deepEqual(
        recent,
        [
          { source: `${CDN}/shared.png`, sha256: HASH, contentType: 'image/png', updatedAt: later(7201).toISOString() },
          {
            source: 'thumbnail:2101.00001',
            sha256: 'b'.repeat(64),
            contentType: 'image/jpeg',
            updatedAt: later(4).toISOString(),
          },
        ],
        'recorded at or after the time asked for',
      );
      assert.deepEqual(await store.images.counts(), { pending: 0, cached: 3, failed: 1 });

      assert.equal(await store.images.forget('failed'), 1, 'the final failure');
      assert.equal(await store.images.requestAvatars(later(7300)), 1, 'asked for again after being forgotten');
      await store.images.putBlob(HASH, { contentType: 'image/png', bytes: new Uint8Array([1, 2, 3]) }, NOW);
      const LOGO = 'c'.repeat(64);
      await store.images.putBlob(LOGO, { contentType: 'image/png', bytes: new Uint8Array([4]) }, NOW);
      await store.images.markCached('instance:logo', { sha256: LOGO, contentType: 'image/png', size: 1 }, NOW);
      assert.equal(await store.images.forget('all', ['instance:logo', 'never-seen']), 4, 'all but the kept one');
      assert.deepEqual(await store.images.counts(), { pending: 0, cached: 1, failed: 0 });
      assert.equal(await store.images.getBlob(HASH), null, 'kept bytes are forgotten too');
      assert.ok(await store.images.getBlob(LOGO), 'but those of a kept source');
      assert.equal(await store.images.forget('all'), 1);
      assert.equal(await store.images.getBlob(LOGO), null);
    });

    test('forgetting sources: their rows, and the bytes no other source holds', async (t) => {
      const store = await backend().open(t);
      const [ONE, SHARED] = ['d'.repeat(64), 'e'.repeat(64)];
      for (const sha256 of [ONE, SHARED])
        await store.images.putBlob(sha256, { contentType: 'image/jpeg', bytes: new Uint8Array([7]) }, NOW);
      const cached = (source: string, sha256: string) =>
        store.images.markCached(source, { sha256, contentType: 'image/jpeg', size: 1 }, NOW);
      await cached(`${CDN}/ada.jpg`, ONE);
      await cached(`${CDN}/grace.jpg`, SHARED);
      await cached(`${CDN}/org.jpg`, SHARED);
      await store.images.markFailed(`${CDN}/dead.jpg`, 'HTTP 404', null, NOW);

      const gone = await store.images.forgetSources([`${CDN}/ada.jpg`, `${CDN}/grace.jpg`, `${CDN}/dead.jpg`, 'x']);
      assert.equal(gone.forgotten, 3, `${name()}: unknown sources count for nothing`);
      assert.deepEqual(gone.orphans, [{ sha256: ONE, contentType: 'image/jpeg' }], 'the shared bytes are held still');
      assert.equal(await store.images.get(`${CDN}/ada.jpg`), null);
      assert.equal(await store.images.get(`${CDN}/dead.jpg`), null);
      assert.equal((await store.images.get(`${CDN}/org.jpg`))?.status, 'cached');
      assert.equal(await store.images.getBlob(ONE), null);
      assert.ok(await store.images.getBlob(SHARED));
      assert.deepEqual(await store.images.forgetSources([]), { forgotten: 0, orphans: [] });
    });

    test('bytes are kept once under their hash, as they were given', async (t) => {
      const store = await backend().open(t);
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 0, 13, 10]);
      await store.images.putBlob(HASH, { contentType: 'image/png', bytes }, NOW);
      await store.images.putBlob(HASH, { contentType: 'image/png', bytes: new Uint8Array([9]) }, later(1));
      const blob = (await store.images.getBlob(HASH))!;
      assert.equal(blob.contentType, 'image/png');
      assert.deepEqual([...blob.bytes], [...bytes], `${name()}: binary, NUL bytes included; the first put stays`);
      assert.equal(await store.images.getBlob('c'.repeat(64)), null);
      assert.equal(await store.images.getBlob("'; DROP TABLE image_blobs; --"), null);
    });

    test('thumbnails due: papers on the feed, newest day first, until made or failed for good', async (t) => {
      const store = await backend().open(t);
      const thumb = (n: number) => `https://cdn-thumbnails.example.org/${n}.png`;
      await store.importBatch({
        papers: [1, 2, 3, 4, 5].map((n) => madeUp(n)),
        entries: [
          entry('2026-08-20', '2101.00001', 0, { thumbnail: thumb(1) }),
          entry('2026-08-21', '2101.00001', 0, { thumbnail: '' }),
          entry('2026-08-21', '2101.00002', 1),
          entry('2026-08-19', '2101.00003', 0, { thumbnail: '/relative.png' }),
          entry('2026-08-21', '2101.00004', 2),
        ],
        replaceDays: [],
      });
      const due = async (importedOnly = false, at = NOW) =>
        (await store.images.thumbnailsDue(at, 10, importedOnly)).map((d) => [d.paperId, d.importedUrl, d.attempts]);
      assert.deepEqual(
        await due(),
        [
          ['2101.00001', thumb(1), 0],
          ['2101.00002', null, 0],
          ['2101.00004', null, 0],
          ['2101.00003', null, 0],
        ],
        `${name()}: not paper 5 (never on the feed); an imported address from any of its days, if http(s)`,
      );
      assert.deepEqual(await due(true), [['2101.00001', thumb(1), 0]], 'only those with an imported address');
      assert.equal((await store.images.thumbnailsDue(NOW, 2, false)).length, 2, 'at most the limit');

      await store.images.markCached('thumbnail:2101.00001', { sha256: HASH, contentType: 'image/png', size: 3 }, NOW);
      await store.images.markFailed('thumbnail:2101.00002', 'HTTP 503', later(3600), NOW);
      await store.images.markFailed('thumbnail:2101.00004', 'not a PDF', null, NOW);
      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      assert.equal(await store.community.hidePaper('2101.00003', moderator.id, 'spam', NOW), true);
      assert.deepEqual(await due(), [], 'made, waiting for its retry, failed for good, hidden');
      assert.deepEqual(await due(false, later(3600)), [['2101.00002', null, 1]], 'due again at its retry time');
    });
  });
}
