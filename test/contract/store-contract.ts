/**
 * The store contract: behaviours every backend must have, written once and run on each (see the
 * *.test.ts files beside this one). Expected values come from the fixtures and the domain rules, not from
 * another backend, so that a bug shared by two backends still fails. Ranking is checked where any sound
 * ranking agrees (a paper's own title finds it first); exact scores are each backend's own.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreStore, DailySort, SearchFilters, TextQuery } from '../../src/store/store.ts';
import type { Paper } from '../../src/domain/types.ts';
import { ageInHours, trendingScore } from '../../src/domain/trending.ts';
import { cleanTitle } from '../../src/domain/paper-record.ts';
import { analyze, titleKey } from '../../src/domain/analyzer.ts';
import { parseQuery } from '../../src/search/query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../../src/search/search-service.ts';
import { lexicalSearch } from '../../src/search/lexical/lexical-search.ts';
import type { ContractBackend } from './backends.ts';
import { DAYS, dayBatch, entry, fixtureEntries, fixturePapers, importFixtures, madeUp } from './fixtures.ts';

const WEIGHTS = DEFAULT_SEARCH_CONFIG.weights;
const ALL_DAYS = { firstDay: '1990-01-01', lastDay: '2099-12-31' };
const SORTS: DailySort[] = ['upvotes', 'latest', 'publishedAt', 'trending'];

const query = (text: string): TextQuery => parseQuery(text);
const isNonIncreasing = (values: number[], slack = 1e-9) =>
  values.every((v, i) => i === 0 || v <= values[i - 1]! + slack);

/** Whether some field of a paper holds the phrase as consecutive analysed terms. */
function holdsPhrase(paper: Paper, phrase: string[]): boolean {
  return [paper.title, paper.authors.map((a) => a.name).join(' '), paper.summary]
    .map(analyze)
    .some((terms) => terms.some((_, i) => phrase.every((word, j) => terms[i + j] === word)));
}

export function storeContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  /** A test that a backend is known to fail is reported as todo, with the reason, rather than left out. */
  const it = (title: string, fn: (t: TestContext) => Promise<void>) => {
    const known = backend().knownIssues?.[title];
    return known ? test(title, { todo: `known ${name()} issue: ${known}` }, fn) : test(title, fn);
  };
  const open = (t: TestContext) => backend().open(t);
  const opened = async (t: TestContext): Promise<CoreStore> => {
    const store = await open(t);
    await importFixtures(store);
    return store;
  };

  describe('imports', () => {
    test('the recorded days and the JSONL sample are stored whole, and importing them again changes nothing', async (t) => {
      const store = await open(t);
      const first = await importFixtures(store);
      const papers = fixturePapers();
      const entries = fixtureEntries();
      assert.equal(
        first.reduce((n, c) => n + c.papersNew, 0),
        papers.size,
      );
      assert.equal(
        first.reduce((n, c) => n + c.entries, 0),
        entries.length,
      );
      const stats = await store.stats();
      assert.equal(stats.papers, papers.size);
      assert.equal(stats.dailyEntries, new Set(entries.map((e) => `${e.day} ${e.paperId}`)).size);
      const again = await importFixtures(store);
      assert.equal(
        again.reduce((n, c) => n + c.papersNew + c.papersUpdated, 0),
        0,
        `${name()}: nothing new the second time`,
      );
      assert.equal(
        again.reduce((n, c) => n + c.papersUnchanged, 0),
        first.reduce((n, c) => n + c.papersNew + c.papersUpdated + c.papersUnchanged, 0),
      );
      assert.deepEqual(await store.stats(), stats);
    });

    test('a paper imported again is merged: stated fields replace, missing ones stay, source counts only grow', async (t) => {
      const store = await open(t);
      const org = { name: 'acme', fullname: 'Acme Research', avatar: 'https://example.org/acme.png', externalId: 'o1' };
      await store.importBatch({
        papers: [
          madeUp(1, {
            title: 'First\n  title',
            githubRepo: 'https://github.com/acme/one',
            githubStars: 10,
            upvotes: 10,
            numComments: 3,
            categories: ['cs.CL'],
            aiKeywords: ['parsing'],
            organization: org,
            authors: [
              { name: 'Ada', externalId: 'a1', hidden: false },
              { name: 'Grace', externalId: null, hidden: false },
            ],
          }),
        ],
        entries: [],
        replaceDays: [],
      });
      const counts = await store.importBatch({
        papers: [
          madeUp(1, {
            title: 'Second title',
            githubRepo: null,
            githubStars: 4,
            upvotes: 5,
            numComments: 7,
            categories: [],
            organization: null,
            authors: [
              { name: 'Ada', externalId: 'a1', hidden: false },
              { name: 'Linus', externalId: null, hidden: true },
            ],
          }),
        ],
        entries: [],
        replaceDays: [],
      });
      assert.deepEqual(counts, { papersNew: 0, papersUpdated: 1, papersUnchanged: 0, entries: 0 });
      const paper = (await store.getPaper('2101.00001'))!;
      assert.equal(paper.title, 'Second title');
      assert.equal(paper.githubRepo, 'https://github.com/acme/one');
      assert.equal(paper.githubStars, 10);
      assert.equal(paper.upvotes, 10);
      assert.equal(paper.hfComments, 7, 'the imported count, kept apart');
      assert.equal(paper.numComments, 0, 'no local discussion');
      assert.deepEqual(paper.categories, ['cs.CL']);
      assert.deepEqual(paper.aiKeywords, ['parsing']);
      assert.deepEqual(paper.organization, org);
      assert.deepEqual(paper.authors, [
        { name: 'Ada', externalId: 'a1', hidden: false },
        { name: 'Linus', externalId: null, hidden: true },
      ]);
      assert.equal(await store.getAuthor('Grace'), null);
      assert.deepEqual(await store.getAuthor('Linus'), { name: 'Linus', papers: 1, upvotes: 10 });
      // The first title's line break is folded: an exact-title lookup of the old title finds nothing now.
      assert.equal(await store.findPaperByTitleKey(titleKey('First title')), null);
      assert.equal(await store.findPaperByTitleKey(titleKey('Second title')), '2101.00001');
      const same = await store.importBatch({
        papers: [madeUp(1, { title: 'Second title', upvotes: 2, authors: paper.authors })],
        entries: [],
        replaceDays: [],
      });
      assert.deepEqual(same, { papersNew: 0, papersUpdated: 0, papersUnchanged: 1, entries: 0 });
    });

    test('a paper twice in one batch ends as if imported twice', async (t) => {
      const store = await open(t);
      const counts = await store.importBatch({
        papers: [
          madeUp(2, { upvotes: 3 }),
          madeUp(2, { upvotes: 8, githubRepo: 'https://github.com/x/y' }),
          madeUp(2, { upvotes: 1 }),
        ],
        entries: [],
        replaceDays: [],
      });
      assert.deepEqual(counts, { papersNew: 1, papersUpdated: 1, papersUnchanged: 1, entries: 0 });
      const paper = (await store.getPaper('2101.00002'))!;
      assert.equal(paper.upvotes, 8);
      assert.equal(paper.githubRepo, 'https://github.com/x/y');
    });

    test('a bad batch is rolled back whole: none of its papers, entries or members remain', async (t) => {
      const store = await opened(t);
      const before = await store.stats();
      const version = await store.dataVersion();
      const day = '2026-08-21';
      const bad = {
        papers: [
          madeUp(3, { organization: { name: 'new-org', fullname: 'New Org', avatar: null, externalId: null } }),
          madeUp(4),
        ],
        entries: [
          entry('2030-01-01', '2101.00003', 0, {
            submittedBy: { name: 'newcomer', fullname: 'New Comer', avatarUrl: null, externalId: null },
          }),
          entry('2030-01-01', '2999.99999', 1),
        ],
        replaceDays: [day],
      };
      await assert.rejects(store.importBatch(bad));
      assert.deepEqual(await store.stats(), before);
      assert.equal(await store.getPaper('2101.00003'), null);
      assert.equal(await store.getOrganization('new-org'), null);
      assert.equal(
        await store.countDaily({ firstDay: day, lastDay: day }),
        dayBatch(day).entries.length,
        'the replaced day is back',
      );
      assert.equal(await store.dataVersion(), version, `${name()}: a rolled-back write leaves the data version`);
    });

    it('after a rolled-back batch, the same papers and authors import cleanly', async (t) => {
      const store = await open(t);
      const papers = [
        madeUp(3),
        madeUp(4, { authors: [{ name: 'Only In The Failed Batch', externalId: null, hidden: false }] }),
      ];
      await assert.rejects(
        store.importBatch({ papers, entries: [entry('2030-01-01', '2999.99999', 0)], replaceDays: [] }),
      );
      const counts = await store.importBatch({
        papers,
        entries: [entry('2030-01-01', '2101.00003', 0)],
        replaceDays: [],
      });
      assert.deepEqual(counts, { papersNew: 2, papersUpdated: 0, papersUnchanged: 0, entries: 1 });
      assert.deepEqual(await store.getAuthor('Only In The Failed Batch'), {
        name: 'Only In The Failed Batch',
        papers: 1,
        upvotes: 0,
      });
    });

    test('a day file replaces the imported entries of its day, and keeps the papers', async (t) => {
      const store = await open(t);
      const day = '2030-02-01';
      const papers = [madeUp(5), madeUp(6), madeUp(7)];
      await store.importBatch({ papers, entries: papers.map((p, i) => entry(day, p.id, i)), replaceDays: [day] });
      await store.importBatch({
        papers: papers.slice(0, 2),
        entries: papers.slice(0, 2).map((p, i) => entry(day, p.id, i)),
        replaceDays: [day],
      });
      const listed = await store.listDaily({ firstDay: day, lastDay: day, sort: 'upvotes', offset: 0, limit: 10 });
      assert.deepEqual(listed.map((e) => e.paper.id).sort(), ['2101.00005', '2101.00006']);
      assert.notEqual(await store.getPaper('2101.00007'), null);
      assert.deepEqual(await store.featuredDays('2101.00007'), []);
    });
  });

  describe('papers', () => {
    test('a recorded paper reads back with its fields, organization and first submission', async (t) => {
      const store = await opened(t);
      const batch = dayBatch('2026-08-21');
      for (const [index, input] of batch.papers.entries()) {
        const paper = (await store.getPaper(input.id))!;
        assert.equal(paper.title, cleanTitle(input.title));
        assert.equal(paper.summary, input.summary);
        assert.equal(paper.publishedAt, input.publishedAt);
        assert.deepEqual(paper.authors, input.authors);
        assert.equal(paper.upvotes, input.upvotes ?? 0);
        assert.equal(paper.hfComments, input.numComments ?? 0);
        assert.equal(paper.numComments, 0, 'imported counts are not local discussion');
        assert.equal(paper.organization?.name, input.organization?.name);
        assert.equal(paper.githubRepo, input.githubRepo ?? null);
        const first = fixtureEntries()
          .filter((e) => e.paperId === input.id)
          .sort((a, b) => a.day.localeCompare(b.day))[0]!;
        assert.equal(paper.submittedOnDailyAt, first.submittedAt);
        assert.equal(paper.submittedOnDailyBy?.name, first.submittedBy?.name, `${input.id} submitter`);
        assert.equal(batch.entries[index]!.paperId, input.id);
      }
    });

    test('getPapers keeps the order asked for and leaves unknown ids out; featuredDays lists days oldest first', async (t) => {
      const store = await opened(t);
      const ids = [...fixturePapers().keys()].slice(0, 5).reverse();
      const got = await store.getPapers([ids[0]!, '2999.99999', ...ids.slice(1)]);
      assert.deepEqual(
        got.map((p) => p.id),
        ids,
      );
      assert.deepEqual(await store.getPapers([]), []);
      assert.equal(await store.getPaper('2999.99999'), null);
      const day = '2030-03-01';
      await store.importBatch({ papers: [], entries: [entry(day, ids[0]!, 0)], replaceDays: [] });
      const days = fixtureEntries()
        .filter((e) => e.paperId === ids[0])
        .map((e) => e.day);
      assert.deepEqual(await store.featuredDays(ids[0]!), [...new Set([...days, day])].sort());
    });

    test("paperSortKeys gives each known paper's publication time and upvotes, as getPapers does", async (t) => {
      const store = await opened(t);
      const ids = [...fixturePapers().keys()].slice(0, 4);
      const keys = await store.paperSortKeys([...ids, '2999.99999']);
      assert.equal(keys.size, ids.length);
      for (const paper of await store.getPapers(ids))
        assert.deepEqual(keys.get(paper.id), { publishedAt: paper.publishedAt, upvotes: paper.upvotes });
      assert.equal((await store.paperSortKeys([])).size, 0);
    });

    test('filterFacets says which search filters can match a paper', async (t) => {
      const store = await opened(t);
      const papers = [...fixturePapers().values()];
      assert.deepEqual(await store.filterFacets(), {
        organization: papers.some((p) => Boolean(p.organization)),
        category: papers.some((p) => (p.categories ?? []).length > 0),
        hasCode: papers.some((p) => Boolean(p.githubRepo)),
      });
    });

    test('listPapers pages through every paper once, newest first, by cursor', async (t) => {
      const store = await opened(t);
      const seen: Paper[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.listPapers(cursor, 7);
        assert.ok(page.papers.length <= 7);
        seen.push(...page.papers);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      assert.equal(seen.length, fixturePapers().size);
      assert.equal(new Set(seen.map((p) => p.id)).size, seen.length);
      const keys = seen.map((p) => `${p.publishedAt} ${p.id}`);
      assert.deepEqual(keys, [...keys].sort().reverse());
      const whole = await store.listPapers(null, 1000);
      assert.equal(whole.nextCursor, null);
      assert.deepEqual(
        whole.papers.map((p) => p.id),
        seen.map((p) => p.id),
      );
    });
  });

  describe('daily lists', () => {
    for (const day of DAYS) {
      test(`sort=upvotes lists ${day} in the recorded order`, async (t) => {
        const store = await opened(t);
        const listed = await store.listDaily({ firstDay: day, lastDay: day, sort: 'upvotes', offset: 0, limit: 100 });
        assert.deepEqual(
          listed.map((e) => e.paper.id),
          dayBatch(day).entries.map((e) => e.paperId),
        );
        assert.ok(listed.every((e) => e.day === day));
      });
    }

    test('every sort orders by its key, pages add up to the whole list, and counts agree', async (t) => {
      const store = await opened(t);
      const total = await store.countDaily(ALL_DAYS);
      assert.equal(total, new Set(fixtureEntries().map((e) => e.paperId)).size, 'a paper is counted once in a range');
      for (const sort of SORTS) {
        const all = await store.listDaily({ ...ALL_DAYS, sort, offset: 0, limit: 1000 });
        assert.equal(all.length, total, sort);
        const paged = [];
        for (let offset = 0; offset < total; offset += 9)
          paged.push(...(await store.listDaily({ ...ALL_DAYS, sort, offset, limit: 9 })));
        assert.deepEqual(
          paged.map((e) => e.paper.id),
          all.map((e) => e.paper.id),
          `${sort}: pages`,
        );
        if (sort === 'upvotes') assert.ok(isNonIncreasing(all.map((e) => e.paper.upvotes)));
        if (sort === 'publishedAt') {
          const dates = all.map((e) => e.paper.publishedAt);
          assert.deepEqual(dates, [...dates].sort().reverse());
        }
        if (sort === 'latest') {
          assert.deepEqual(
            all.map((e) => e.day),
            all
              .map((e) => e.day)
              .sort()
              .reverse(),
          );
          for (const day of new Set(all.map((e) => e.day))) {
            assert.ok(isNonIncreasing(all.filter((e) => e.day === day).map((e) => e.paper.upvotes)), `latest: ${day}`);
          }
        }
      }
      assert.deepEqual(await store.listDaily({ ...ALL_DAYS, sort: 'upvotes', offset: total, limit: 10 }), []);
    });

    test('sort=trending ranks by the trending formula, judged at the end of the period', async (t) => {
      const store = await opened(t);
      for (const range of [{ firstDay: '2026-08-15', lastDay: '2026-08-21' }, ALL_DAYS]) {
        const listed = await store.listDaily({ ...range, sort: 'trending', offset: 0, limit: 1000 });
        const reference = new Date(Math.min(Date.now(), Date.parse(`${range.lastDay}T23:59:59.999Z`)));
        const scores = listed.map((e) =>
          trendingScore(e.paper.upvotes, e.paper.numComments, ageInHours(e.submittedAt, reference)),
        );
        assert.ok(isNonIncreasing(scores, 1e-12), `${name()}: trending scores ${scores.slice(0, 5).join(', ')}…`);
        assert.equal(listed.length, await store.countDaily(range));
      }
      // A fresh paper with a few votes overtakes an old one with more.
      const day = '2021-04-02';
      await store.importBatch({
        papers: [madeUp(10, { upvotes: 12 }), madeUp(11, { upvotes: 5 })],
        entries: [
          entry(day, '2101.00010', 0, { submittedAt: '2021-04-01T00:00:00.000Z' }),
          entry(day, '2101.00011', 1, { submittedAt: `${day}T20:00:00.000Z` }),
        ],
        replaceDays: [],
      });
      const ranked = await store.listDaily({ firstDay: day, lastDay: day, sort: 'trending', offset: 0, limit: 10 });
      assert.deepEqual(
        ranked.map((e) => e.paper.id),
        ['2101.00011', '2101.00010'],
      );
    });

    test("the submitter filter keeps that member's entries, in lists and counts", async (t) => {
      const store = await opened(t);
      const day = '2026-08-21';
      const entries = dayBatch(day).entries;
      const submitter = entries[0]!.submittedBy!.name;
      const want = entries.filter((e) => e.submittedBy?.name === submitter).map((e) => e.paperId);
      const listed = await store.listDaily({
        firstDay: day,
        lastDay: day,
        submitter,
        sort: 'upvotes',
        offset: 0,
        limit: 100,
      });
      assert.deepEqual(
        listed.map((e) => e.paper.id),
        want,
      );
      assert.ok(listed.every((e) => e.submittedBy?.name === submitter));
      assert.equal(await store.countDaily({ firstDay: day, lastDay: day, submitter }), want.length);
      assert.equal(await store.countDaily({ ...ALL_DAYS, submitter: 'nobody-at-all' }), 0);
      assert.deepEqual(
        await store.listDaily({ ...ALL_DAYS, submitter: "x' OR '1'='1", sort: 'latest', offset: 0, limit: 10 }),
        [],
      );
    });

    test('a paper on two days of a range is listed once, on its first day there', async (t) => {
      const store = await open(t);
      await store.importBatch({
        papers: [madeUp(20), madeUp(21)],
        entries: [
          entry('2030-05-01', '2101.00020', 0),
          entry('2030-05-03', '2101.00020', 0),
          entry('2030-05-03', '2101.00021', 1),
        ],
        replaceDays: [],
      });
      const range = { firstDay: '2030-05-01', lastDay: '2030-05-07' };
      for (const sort of SORTS) {
        const listed = await store.listDaily({ ...range, sort, offset: 0, limit: 10 });
        assert.deepEqual(
          listed.map((e) => [e.paper.id, e.day]).sort(),
          [
            ['2101.00020', '2030-05-01'],
            ['2101.00021', '2030-05-03'],
          ],
          sort,
        );
      }
      assert.equal(await store.countDaily(range), 2);
      const later = await store.listDaily({
        firstDay: '2030-05-02',
        lastDay: '2030-05-07',
        sort: 'latest',
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(later.map((e) => [e.paper.id, e.day]).sort(), [
        ['2101.00020', '2030-05-03'],
        ['2101.00021', '2030-05-03'],
      ]);
    });

    test('latestDay and neighbourDays', async (t) => {
      const store = await open(t);
      assert.equal(await store.latestDay(), null);
      assert.deepEqual(await store.neighbourDays('2025-01-01'), { previous: null, next: null });
      await importFixtures(store);
      const days = [...new Set(fixtureEntries().map((e) => e.day))].sort();
      assert.equal(await store.latestDay(), days.at(-1));
      assert.deepEqual(await store.neighbourDays(days[0]!), { previous: null, next: days[1] ?? null });
      assert.deepEqual(await store.neighbourDays(days.at(-1)!), { previous: days.at(-2) ?? null, next: null });
      assert.deepEqual(await store.neighbourDays('2025-06-01'), {
        previous: days.filter((d) => d < '2025-06-01').at(-1) ?? null,
        next: '2025-06-02',
      });
    });
  });

  describe('organizations and authors', () => {
    test('an organization sums its papers and upvotes and lists its papers newest first', async (t) => {
      const store = await opened(t);
      const papers = [...fixturePapers().values()];
      const name = papers.find((p) => p.organization)!.organization!.name;
      const mine = papers.filter((p) => p.organization?.name === name);
      const summary = (await store.getOrganization(name))!;
      assert.equal(summary.organization.name, name);
      assert.equal(summary.papers, mine.length);
      assert.equal(
        summary.upvotes,
        mine.reduce((n, p) => n + (p.upvotes ?? 0), 0),
      );
      const listed = await store.papersOfOrganization(name, 0, 100);
      assert.deepEqual(listed.map((p) => p.id).sort(), mine.map((p) => p.id).sort());
      const keys = listed.map((p) => `${p.publishedAt} ${p.id}`);
      assert.deepEqual(keys, [...keys].sort().reverse());
      assert.deepEqual(await store.papersOfOrganization(name, 1, 100), listed.slice(1));
      assert.equal(await store.getOrganization('no-such-org'), null);
      assert.deepEqual(await store.papersOfOrganization('no-such-org', 0, 10), []);
    });

    test('an author counts papers and upvotes and lists their papers', async (t) => {
      const store = await opened(t);
      const papers = [...fixturePapers().values()];
      const name = papers.flatMap((p) => p.authors.map((a) => a.name)).find(Boolean)!;
      const mine = papers.filter((p) => p.authors.some((a) => a.name === name));
      assert.deepEqual(await store.getAuthor(name), {
        name,
        papers: mine.length,
        upvotes: mine.reduce((n, p) => n + (p.upvotes ?? 0), 0),
      });
      assert.deepEqual((await store.papersOfAuthor(name, 0, 10)).map((p) => p.id).sort(), mine.map((p) => p.id).sort());
      assert.equal(await store.getAuthor('Nobody Atall'), null);
      assert.deepEqual(await store.papersOfAuthor("Robert'); DROP TABLE authors;--", 0, 10), []);
      const stats = await store.stats();
      assert.equal(stats.authors, new Set(papers.flatMap((p) => p.authors.map((a) => a.name))).size);
      assert.equal(
        stats.organizations,
        new Set(papers.flatMap((p) => (p.organization ? [p.organization.name] : []))).size,
      );
    });
  });

  describe('lexical search', () => {
    test("a paper's own title finds it first", async (t) => {
      const store = await opened(t);
      for (const paper of [...fixturePapers().values()].filter((_, i) => i % 4 === 0)) {
        const hits = await lexicalSearch(store).search(query(paper.title), {}, WEIGHTS, 10);
        assert.equal(
          hits[0]?.id,
          paper.id,
          `${name()}: "${paper.title}" -> ${hits
            .slice(0, 3)
            .map((h) => h.id)
            .join(', ')}`,
        );
        assert.ok(isNonIncreasing(hits.map((h) => h.score)));
      }
    });

    test("hits are at most the limit, best first, and an author's name finds their paper", async (t) => {
      const store = await opened(t);
      const hits = await lexicalSearch(store).search(query('language models reasoning'), {}, WEIGHTS, 5);
      assert.ok(hits.length > 0 && hits.length <= 5);
      assert.ok(isNonIncreasing(hits.map((h) => h.score)));
      assert.equal(new Set(hits.map((h) => h.id)).size, hits.length);
      const paper = [...fixturePapers().values()].find(
        (p) => p.authors.length > 0 && p.authors[0]!.name.split(' ').length >= 2,
      )!;
      const byAuthor = await lexicalSearch(store).search(query(paper.authors[0]!.name), {}, WEIGHTS, 50);
      assert.ok(
        byAuthor.some((h) => h.id === paper.id),
        `${name()}: author ${paper.authors[0]!.name}`,
      );
      assert.deepEqual(await lexicalSearch(store).search(query('zzqxv wqzzv'), {}, WEIGHTS, 10), []);
      assert.deepEqual(
        await lexicalSearch(store).search({ terms: [], phrases: [], prefixes: [] }, {}, WEIGHTS, 10),
        [],
      );
    });

    test('quoted phrases are required, as consecutive words', async (t) => {
      const store = await opened(t);
      await store.importBatch({
        papers: [
          madeUp(30, { title: 'Sparse attention kernels', summary: 'We make attention sparse and fast.' }),
          madeUp(31, {
            title: 'Kernels for attention',
            summary: 'Sparse methods; attention is sparse here, not sparse attention.',
          }),
          madeUp(32, { title: 'Dense kernels', summary: 'Attention that is dense, then sparse.' }),
        ],
        entries: [],
        replaceDays: [],
      });
      const hits = await lexicalSearch(store).search(query('"sparse attention" kernels'), {}, WEIGHTS, 50);
      assert.deepEqual(
        hits
          .map((h) => h.id)
          .filter((id) => id.startsWith('2101.'))
          .sort(),
        ['2101.00030', '2101.00031'],
      );
      // Every hit of a phrase from a real abstract holds it.
      const paper = [...fixturePapers().values()][3]!;
      const words = paper.summary.split(/\s+/).slice(4, 7).join(' ');
      const phraseHits = await lexicalSearch(store).search(query(`"${words}"`), {}, WEIGHTS, 50);
      assert.ok(
        phraseHits.some((h) => h.id === paper.id),
        `${name()}: "${words}"`,
      );
      const phrase = analyze(words);
      for (const found of await store.getPapers(phraseHits.map((h) => h.id)))
        assert.ok(holdsPhrase(found, phrase), `${found.id} holds "${words}"`);
      // Two phrases: both are required.
      const both = await lexicalSearch(store).search(
        query('"sparse attention" "attention is sparse"'),
        {},
        WEIGHTS,
        20,
      );
      assert.deepEqual(
        both.map((h) => h.id).filter((id) => id.startsWith('2101.')),
        ['2101.00031'],
      );
    });

    test('a word with * finds words that start with it', async (t) => {
      const store = await open(t);
      await store.importBatch({
        papers: [
          madeUp(40, { title: 'Transformers everywhere' }),
          madeUp(41, { title: 'Transformation groups' }),
          madeUp(42, { title: 'Trans fats' }),
        ],
        entries: [],
        replaceDays: [],
      });
      await lexicalSearch(store).warmUp();
      const hits = await lexicalSearch(store).search(query('transfor*'), {}, WEIGHTS, 10);
      assert.deepEqual(hits.map((h) => h.id).sort(), ['2101.00040', '2101.00041']);
    });

    test('filters restrict hits: publication days, organization, category, code', async (t) => {
      const store = await opened(t);
      const papers = [...fixturePapers().values()];
      const text = 'model learning data language';
      const all = await lexicalSearch(store).search(query(text), {}, WEIGHTS, 1000);
      assert.ok(all.length > 10);
      const org = papers.find((p) => p.organization)!.organization!.name;
      const category = papers.find((p) => (p.categories?.length ?? 0) > 0)!.categories![0]!;
      const cases: [SearchFilters, (p: Paper) => boolean][] = [
        [{ fromDay: '2025-01-01' }, (p) => p.publishedAt >= '2025-01-01'],
        [{ toDay: '2024-12-31' }, (p) => p.publishedAt <= '2024-12-31T23:59:59.999Z'],
        [
          { fromDay: '2025-05-01', toDay: '2025-06-30' },
          (p) => p.publishedAt >= '2025-05-01' && p.publishedAt <= '2025-06-30T23:59:59.999Z',
        ],
        [{ organization: org }, (p) => p.organization?.name === org],
        [{ category }, (p) => p.categories.includes(category)],
        [{ hasCode: true }, (p) => p.githubRepo !== null],
      ];
      for (const [filters, passes] of cases) {
        const hits = await lexicalSearch(store).search(query(text), filters, WEIGHTS, 1000);
        const want = (await store.getPapers(all.map((h) => h.id)))
          .filter(passes)
          .map((p) => p.id)
          .sort();
        assert.deepEqual(hits.map((h) => h.id).sort(), want, `${name()}: ${JSON.stringify(filters)}`);
        const kept = await store.filterPapers(
          all.map((h) => h.id),
          filters,
        );
        assert.deepEqual([...kept].sort(), want, `filterPapers ${JSON.stringify(filters)}`);
      }
      assert.deepEqual(
        await lexicalSearch(store).search(query(text), { organization: "x' OR 1=1 --" }, WEIGHTS, 10),
        [],
      );
      assert.deepEqual([...(await store.filterPapers(['2999.99999', all[0]!.id], {}))], [all[0]!.id]);
      assert.deepEqual([...(await store.filterPapers([], { hasCode: true }))], []);
    });

    test('arXiv ids, SQL metacharacters and query syntax in the search box are harmless', async (t) => {
      const store = await opened(t);
      const before = await store.stats();
      for (const text of [
        '2608.19880',
        'arXiv:2608.19880v2',
        'hep-th/9901001',
        "'; DROP TABLE papers; --",
        '" OR 1=1 --',
        '%_\\',
        'a:* & !b | (c <-> d)',
        '<script>alert(1)</script>',
        '🙂 emoji',
        '\u0000nul',
        'the of and',
        'x'.repeat(3000),
        '"unterminated phrase',
        '***',
        '"" "a" "b c"',
        'ünïcödé café',
        '$1 $2 ?',
      ]) {
        const hits = await lexicalSearch(store).search(query(text), {}, WEIGHTS, 10);
        assert.ok(Array.isArray(hits), text);
        await lexicalSearch(store).search(
          query(text),
          { organization: text, category: text, fromDay: '2020-01-01' },
          WEIGHTS,
          10,
        );
        assert.equal(await store.findPaperByTitleKey(titleKey(text)), null);
      }
      assert.deepEqual(await store.stats(), before);
    });

    test('hostile text in papers is stored as written and can be found', async (t) => {
      const store = await open(t);
      const title = `O'Brien's "quoted" \\back\\slash; DROP TABLE papers; -- 50% _under_ :* & | ! <b>bold</b> 🙂 Ünïcödé`;
      const summary = "Robert'); DELETE FROM papers WHERE ('1'='1 $1 \\x00 {\"json\": [1]} ''doubled''";
      await store.importBatch({
        papers: [
          madeUp(50, { title, summary, authors: [{ name: 'D\'Arcy "Q" Smith', externalId: null, hidden: false }] }),
        ],
        entries: [],
        replaceDays: [],
      });
      const paper = (await store.getPaper('2101.00050'))!;
      assert.equal(paper.title, title);
      assert.equal(paper.summary, summary);
      assert.equal(paper.authors[0]!.name, 'D\'Arcy "Q" Smith');
      assert.equal((await lexicalSearch(store).search(query('Brien unicode'), {}, WEIGHTS, 5))[0]?.id, '2101.00050');
      assert.equal((await lexicalSearch(store).search(query('doubled'), {}, WEIGHTS, 5))[0]?.id, '2101.00050');
      assert.equal(await store.findPaperByTitleKey(titleKey(title)), '2101.00050');
      assert.deepEqual(await store.getAuthor('D\'Arcy "Q" Smith'), {
        name: 'D\'Arcy "Q" Smith',
        papers: 1,
        upvotes: 0,
      });
      const again = await store.importBatch({
        papers: [
          madeUp(50, { title, summary, authors: [{ name: 'D\'Arcy "Q" Smith', externalId: null, hidden: false }] }),
        ],
        entries: [],
        replaceDays: [],
      });
      assert.equal(again.papersUnchanged, 1);
    });

    test('exact-title keys find the paper whatever the case, accents and punctuation', async (t) => {
      const store = await opened(t);
      const paper = [...fixturePapers().values()][0]!;
      assert.equal(await store.findPaperByTitleKey(titleKey(paper.title.toUpperCase())), paper.id);
      assert.equal(await store.findPaperByTitleKey(''), null);
      assert.equal(await store.findPaperByTitleKey('no such title at all'), null);
    });

    test('search sees papers written after warm-up', async (t) => {
      const store = await opened(t);
      await lexicalSearch(store).warmUp();
      await store.importBatch({
        papers: [madeUp(60, { title: 'Quokkas as a benchmark' })],
        entries: [],
        replaceDays: [],
      });
      assert.equal(
        (await lexicalSearch(store).search(query('quokkas benchmark'), {}, WEIGHTS, 5))[0]?.id,
        '2101.00060',
      );
      await store.importBatch({
        papers: [madeUp(60, { title: 'Wombats as a benchmark' })],
        entries: [],
        replaceDays: [],
      });
      assert.deepEqual(await lexicalSearch(store).search(query('quokkas'), {}, WEIGHTS, 5), []);
      assert.equal((await lexicalSearch(store).search(query('wombats'), {}, WEIGHTS, 5))[0]?.id, '2101.00060');
    });

    test('search sees papers another process wrote after warm-up', async (t) => {
      const [a, b] = await backend().openTwo(t);
      await importFixtures(a);
      await lexicalSearch(a).warmUp();
      await b.importBatch({
        papers: [madeUp(80, { title: 'Pangolins as a benchmark' })],
        entries: [],
        replaceDays: [],
      });
      assert.equal(
        (await lexicalSearch(a).search(query('pangolins benchmark'), {}, WEIGHTS, 5))[0]?.id,
        '2101.00080',
        `${name()}: a new paper`,
      );
      await b.importBatch({ papers: [madeUp(80, { title: 'Axolotls as a benchmark' })], entries: [], replaceDays: [] });
      assert.deepEqual(
        await lexicalSearch(a).search(query('pangolins'), {}, WEIGHTS, 5),
        [],
        `${name()}: the old title`,
      );
      assert.equal(
        (await lexicalSearch(a).search(query('axolotls'), {}, WEIGHTS, 5))[0]?.id,
        '2101.00080',
        `${name()}: the new title`,
      );
    });
    test('a process that starts later loads the lexical index another saved, and takes in papers written since', async (t) => {
      const [a, b] = await backend().openTwo(t);
      await importFixtures(a);
      await lexicalSearch(a).warmUp();
      assert.equal(lexicalSearch(a).index.loaded, false, `${name()}: the first process builds`);
      const expected = await lexicalSearch(a).search(query('language models'), {}, WEIGHTS, 10);
      assert.ok(expected.length > 0);
      await a.importBatch({ papers: [madeUp(81, { title: 'Okapis as a benchmark' })], entries: [], replaceDays: [] });
      await lexicalSearch(b).warmUp();
      assert.equal(lexicalSearch(b).index.loaded, true, `${name()}: the next one loads what it saved`);
      assert.deepEqual(await lexicalSearch(b).search(query('language models'), {}, WEIGHTS, 10), expected);
      assert.equal((await lexicalSearch(b).search(query('okapis'), {}, WEIGHTS, 5))[0]?.id, '2101.00081');
    });

    test('a saved index comes back byte for byte, whatever its size, and a new save replaces it whole', async (t) => {
      const [a, b] = await backend().openTwo(t);
      assert.equal(await a.indexSource.loadIndex(), null, 'nothing saved yet');
      const big = Buffer.alloc(9 << 20);
      for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
      const parts = [Buffer.from('head'), big.subarray(0, 5 << 20), big.subarray(5 << 20), Buffer.from('tail')];
      await a.indexSource.saveIndex(parts);
      assert.ok(Buffer.concat(parts).equals(Buffer.from((await b.indexSource.loadIndex())!)), name());
      await b.indexSource.saveIndex([Buffer.from('small')]);
      assert.equal(Buffer.from((await a.indexSource.loadIndex())!).toString(), 'small');
    });

    test("docsOf gives papers' document numbers as the index reads them, and leaves out ids that do not exist", async (t) => {
      const store = await opened(t);
      await importFixtures(store);
      const papers = await store.indexSource.page(0, 5);
      assert.equal(papers.length, 5);
      const docs = await store.indexSource.docsOf([...papers.map((p) => p.id), '2101.99999', "x' OR '1'='1"]);
      assert.deepEqual(docs, new Map(papers.map((p) => [p.doc, p.id])), name());
      assert.deepEqual(await store.indexSource.docsOf([]), new Map());
    });
  });

  describe('training texts, job state, data version, stats', () => {
    test('paperTexts pages through every paper once, in a stable order', async (t) => {
      const store = await opened(t);
      const seen: { row: number; id: string }[] = [];
      let after = 0;
      for (;;) {
        const page = await store.paperTexts(after, 11);
        if (page.length === 0) break;
        seen.push(...page);
        after = page.at(-1)!.row;
      }
      assert.equal(seen.length, fixturePapers().size);
      assert.equal(new Set(seen.map((r) => r.id)).size, seen.length);
      assert.ok(seen.every((r, i) => i === 0 || r.row > seen[i - 1]!.row));
      const [first] = await store.paperTexts(0, 1);
      const paper = fixturePapers().get(first!.id)!;
      assert.equal(first!.summary, paper.summary);
    });

    test('job state is null until set, and keeps JSON values', async (t) => {
      const store = await open(t);
      assert.equal(await store.getJobState('harvest'), null);
      const value = { from: '2024-01-01', token: 'a\'b"c\\d', n: 3, list: [1, null, 'x'], nested: { ok: true } };
      await store.setJobState('harvest', value);
      assert.deepEqual(await store.getJobState('harvest'), value);
      await store.setJobState('harvest', 'done');
      assert.equal(await store.getJobState('harvest'), 'done');
      assert.equal(await store.getJobState('other'), null);
    });

    test('the data version moves on every write, also on a write through another connection', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const v0 = await a.dataVersion();
      assert.equal(await a.dataVersion(), v0, 'reading does not move it');
      await a.importBatch({ papers: [madeUp(70)], entries: [], replaceDays: [] });
      const v1 = await a.dataVersion();
      assert.notEqual(v1, v0, 'an import');
      const v2 = v1;
      const seenByB = await b.dataVersion();
      await b.importBatch({ papers: [madeUp(71)], entries: [], replaceDays: [] });
      assert.notEqual(await b.dataVersion(), seenByB, 'the writer sees its write');
      assert.notEqual(await a.dataVersion(), v2, `${name()}: the other connection sees it too`);
      assert.notEqual(await a.getPaper('2101.00071'), null);
    });

    it('the data version moves when job state is written', async (t) => {
      const store = await open(t);
      const version = await store.dataVersion();
      await store.setJobState('k', 1);
      assert.notEqual(await store.dataVersion(), version);
    });

    test('stats count papers, entries, days, organizations and authors', async (t) => {
      const store = await open(t);
      assert.deepEqual(await store.stats(), {
        papers: 0,
        dailyEntries: 0,
        days: 0,
        firstDay: null,
        lastDay: null,
        organizations: 0,
        authors: 0,
      });
      await importFixtures(store);
      const entries = fixtureEntries();
      const days = [...new Set(entries.map((e) => e.day))].sort();
      const papers = [...fixturePapers().values()];
      assert.deepEqual(await store.stats(), {
        papers: papers.length,
        dailyEntries: new Set(entries.map((e) => `${e.day} ${e.paperId}`)).size,
        days: days.length,
        firstDay: days[0],
        lastDay: days.at(-1),
        organizations: new Set(papers.flatMap((p) => (p.organization ? [p.organization.name] : []))).size,
        authors: new Set(papers.flatMap((p) => p.authors.map((a) => a.name))).size,
      });
      await lexicalSearch(store).warmUp();
    });
  });

  describe('vectors of a model that has none', () => {
    test('no vectors, every paper waits for one, and searches find nothing', async (t) => {
      const store = await opened(t);
      assert.equal(await store.countVectors('nothing-yet'), 0);
      const waiting = await store.papersWithoutVector('nothing-yet', 1000);
      assert.equal(waiting.length, fixturePapers().size);
      assert.deepEqual(
        waiting.slice(0, 5).map((p) => p.id),
        (await store.paperTexts(0, 5)).map((p) => p.id),
        'in row order',
      );
      assert.deepEqual(await store.searchVectors('nothing-yet', new Float32Array([1, 0, 0]), 5, {}), []);
      assert.equal(await store.getVector('nothing-yet', waiting[0]!.id), null);
    });
  });
}

/** Unit vectors with a known nearest-neighbour order: paper i points at angle i·step in a plane, plus noise dims. */
function planeVector(angle: number, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  v[0] = Math.cos(angle);
  v[1] = Math.sin(angle);
  return v;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

export function vectorContract(backend: () => ContractBackend): void {
  const DIMENSIONS = 16;

  /** Fixtures imported; every paper gets a vector in a plane, by row order, at 2° steps. */
  async function withVectors(t: TestContext) {
    const store = await backend().open(t);
    await importFixtures(store);
    const ids = (await store.paperTexts(0, 10_000)).map((p) => p.id);
    const vectors = ids.map((id, i) => ({ id, vector: planeVector((i * 2 * Math.PI) / 180, DIMENSIONS) }));
    await store.putVectors('model-a', DIMENSIONS, vectors);
    return { store, ids, vectors };
  }

  test('nearest neighbours by cosine, best first, with similarity as the score', async (t) => {
    const { store, ids, vectors } = await withVectors(t);
    assert.equal(await store.countVectors('model-a'), ids.length);
    assert.deepEqual(await store.papersWithoutVector('model-a', 10), []);
    const target = vectors[20]!.vector;
    const hits = await store.searchVectors('model-a', target, 5, {});
    const want = [...vectors].sort((a, b) => cosine(b.vector, target) - cosine(a.vector, target)).slice(0, 5);
    assert.equal(hits[0]!.id, ids[20]);
    assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5, `similarity of itself: ${hits[0]!.score}`);
    assert.deepEqual(new Set(hits.map((h) => h.id)), new Set(want.map((w) => w.id)));
    hits.forEach((h, i) => {
      assert.ok(Math.abs(h.score - cosine(want[i]!.vector, target)) < 1e-4, `score ${i}`);
    });
    assert.ok(
      isNonIncreasing(
        hits.map((h) => h.score),
        1e-6,
      ),
    );
    assert.deepEqual(Array.from((await store.getVector('model-a', ids[3]!))!), Array.from(vectors[3]!.vector));
    assert.equal(await store.getVector('model-a', '2999.99999'), null);
  });

  test('filters apply to vector hits', async (t) => {
    const { store, ids } = await withVectors(t);
    const papers = await store.getPapers(ids);
    const org = papers.find((p) => p.organization)!.organization!.name;
    const category = papers.find((p) => p.categories.length > 0)!.categories[0]!;
    for (const [filters, passes] of [
      [{ organization: org }, (p: Paper) => p.organization?.name === org],
      [{ category }, (p: Paper) => p.categories.includes(category)],
      [{ hasCode: true }, (p: Paper) => p.githubRepo !== null],
      [{ fromDay: '2026-01-01' }, (p: Paper) => p.publishedAt >= '2026-01-01'],
    ] as [SearchFilters, (p: Paper) => boolean][]) {
      const passing = papers.filter(passes);
      const hits = await store.searchVectors('model-a', planeVector(0, DIMENSIONS), 10, filters);
      assert.equal(hits.length, Math.min(10, passing.length), JSON.stringify(filters));
      const got = await store.getPapers(hits.map((h) => h.id));
      assert.ok(got.every(passes), JSON.stringify(filters));
    }
  });

  test("new vectors replace a paper's old ones; models stay apart; wrong sizes and unknown papers are refused or ignored", async (t) => {
    const { store, ids } = await withVectors(t);
    const far = planeVector(Math.PI, DIMENSIONS);
    await store.putVectors('model-a', DIMENSIONS, [
      { id: ids[0]!, vector: far },
      { id: '2999.99999', vector: far },
    ]);
    assert.equal(await store.countVectors('model-a'), ids.length);
    assert.deepEqual(Array.from((await store.getVector('model-a', ids[0]!))!), Array.from(far));
    assert.equal((await store.searchVectors('model-a', far, 1, {}))[0]!.id, ids[0]);
    await store.putVectors('model-b', 3, [{ id: ids[1]!, vector: new Float32Array([0, 0, 1]) }]);
    assert.equal(await store.countVectors('model-b'), 1);
    assert.equal(await store.countVectors('model-a'), ids.length);
    assert.equal((await store.papersWithoutVector('model-b', 10_000)).length, ids.length - 1);
    assert.deepEqual(
      (await store.searchVectors('model-b', new Float32Array([0, 1, 1]), 5, {})).map((h) => h.id),
      [ids[1]],
    );
    await assert.rejects(store.putVectors('model-b', 4, [{ id: ids[2]!, vector: new Float32Array(4) }]));
    await assert.rejects(store.putVectors('model-a', DIMENSIONS, [{ id: ids[2]!, vector: new Float32Array(3) }]));
    assert.equal(await store.countVectors('model-b'), 1);
  });

  test('papers without a vector of the model are listed in row order, and leave the list once they have one', async (t) => {
    const store = await backend().open(t);
    await importFixtures(store);
    const order = (await store.paperTexts(0, 10_000)).map((p) => p.id);
    await store.putVectors('model-c', 2, [{ id: order[1]!, vector: new Float32Array([1, 0]) }]);
    const waiting = await store.papersWithoutVector('model-c', 3);
    assert.deepEqual(
      waiting.map((p) => p.id),
      [order[0], order[2], order[3]],
    );
    const version = await store.dataVersion();
    await store.putVectors('model-c', 2, [{ id: order[0]!, vector: new Float32Array([0, 1]) }]);
    assert.notEqual(await store.dataVersion(), version, 'storing vectors moves the data version');
    assert.deepEqual(
      (await store.papersWithoutVector('model-c', 1)).map((p) => p.id),
      [order[2]],
    );
  });
}
