/**
 * Generated summaries against a local server speaking the chat-completions protocol: good answers (plain and
 * in a ``` block), an answer that is not the JSON asked for, a rate limit (429), a server that never answers,
 * the budget and the rate limit, two workers at once, and an instance without any of it configured.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { memoryStore, tempDir, testApp } from '../../test/helpers.ts';
import { entry, madeUp } from '../../test/contract/fixtures.ts';
import { paperboyJobSchedules } from '../jobs/paperboy-jobs.ts';
import { InProcessJobQueue } from '../jobs/in-process.ts';
import { LlmClient } from './llm-client.ts';
import { SUMMARY_LEASE_MS, SummaryGenerator, createSummaryGenerator, parseAnswer } from './generate.ts';

interface Asked {
  title: string;
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}
const asked: Asked[] = [];
const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => {
    text += chunk;
  });
  req.on('end', () => {
    const body = JSON.parse(text) as Asked['body'];
    const title = /^Title: (.*)$/m.exec(body.messages[1]!.content)?.[1] ?? '';
    asked.push({ title, authorization: req.headers.authorization, body });
    const reply = (content: string) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content } }],
        }),
      );
    const json = JSON.stringify({
      summary: `What ${title} finds, in one sentence.`,
      keywords: ['alpha', 'beta', 'alpha'],
    });
    if (title.includes('[malformed]')) return reply('Sure! This paper is about many things.');
    if (title.includes('[fenced]')) return reply(`Here you are:\n\`\`\`json\n${json}\n\`\`\``);
    if (title.includes('[busy]'))
      return res.writeHead(429, { 'retry-after': '30' }).end('{"error":{"message":"Rate limit reached"}}');
    if (title.includes('[slow]')) return; // never answers
    if (title.includes('[broken]')) return res.writeHead(200).end('{"choices": "no"}');
    reply(json);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => {
  server.closeAllConnections();
  server.close();
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

const DAY = '2026-07-24';
/** Papers on the feed, the first the most recently published (the order they are summarized in). */
async function onTheFeed(store: Store, titles: string[], extra: { imported?: string } = {}) {
  const papers = titles.map((title, i) =>
    madeUp(i + 1, { title, publishedAt: `2026-07-${String(20 - i).padStart(2, '0')}T00:00:00.000Z` }),
  );
  if (extra.imported) papers.push(madeUp(50, { title: extra.imported, aiSummary: 'Imported from Hugging Face.' }));
  await store.importBatch({
    papers,
    entries: papers.map((p, i) => entry(DAY, p.id, i)),
    replaceDays: [],
  });
}

function generator(
  store: Store,
  options: { perRun?: number; perDay?: number; timeoutMs?: number; log?: string[] } = {},
) {
  const clock = { now: new Date(`${DAY}T12:00:00.000Z`) };
  const waits: number[] = [];
  const lines = options.log ?? [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const generate = new SummaryGenerator({
    store,
    client: new LlmClient({
      url,
      model: 'tiny-model',
      apiKey: 'sk-test',
      timeoutMs: options.timeoutMs ?? 5_000,
      userAgent: 'test',
    }),
    logger: createLogger('info', sink),
    perRun: options.perRun ?? 10,
    perDay: options.perDay ?? 100,
    intervalMs: 1_500,
    now: () => clock.now,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { generate, clock, waits, lines };
}

test('summaries are written, kept with the model and date, and labelled as generated on the paper page', async () => {
  const store = memoryStore();
  await onTheFeed(store, ['Plain paper', 'Paper in a block [fenced]'], { imported: 'Imported paper' });
  asked.length = 0;
  const { generate, waits } = generator(store);
  assert.deepEqual(await generate.round(), { generated: 2, failed: 0, budgetLeft: 98 });
  assert.deepEqual(
    asked.map((a) => a.title),
    ['Plain paper', 'Paper in a block [fenced]'],
    'the paper with an imported summary is not asked about',
  );
  assert.equal(asked[0]!.authorization, 'Bearer sk-test');
  assert.equal(asked[0]!.body.model, 'tiny-model');
  assert.deepEqual(
    asked[0]!.body.messages.map((m) => m.role),
    ['system', 'user'],
  );
  assert.match(asked[0]!.body.messages[1]!.content, /Abstract: An abstract of the made-up paper 1\./);
  assert.deepEqual(waits, [1_500], 'the rate limit: a wait between two requests');

  const paper = (await store.getPaper('2101.00002'))!;
  assert.deepEqual(paper.generatedSummary, {
    text: 'What Paper in a block [fenced] finds, in one sentence.',
    keywords: ['alpha', 'beta'],
    model: 'tiny-model',
    at: `${DAY}T12:00:00.000Z`,
  });

  const app = testApp(store);
  const page = await (await app.request('/papers/2101.00001')).text();
  assert.match(
    page,
    /<h2 id="ai-summary-heading">AI-generated summary<\/h2>\s*<p>What Plain paper finds, in one sentence\.<\/p>/,
  );
  assert.match(page, /<p class="ai-note">Summary generated by tiny-model on Jul 24, 2026<\/p>/);
  assert.match(page, /<li class="chip">alpha<\/li><li class="chip">beta<\/li>/);
  assert.match(page, /<p class="ai-note">Keywords generated by tiny-model on Jul 24, 2026<\/p>/);
  const markdown = await (await app.request('/papers/2101.00001.md')).text();
  assert.match(
    markdown,
    /## AI summary\n\nWhat Plain paper finds, in one sentence\.\n\n\*Summary generated by tiny-model on Jul 24, 2026\*/,
  );
  const imported = await (await app.request('/papers/2101.00050')).text();
  assert.match(imported, /<p>Imported from Hugging Face\.<\/p>/);
  assert.doesNotMatch(imported, /generated by/, 'an imported summary is not labelled as made here');
});

test('an answer that is not the JSON asked for is logged and dropped; the paper waits an hour; the round goes on', async () => {
  const store = memoryStore();
  await onTheFeed(store, ['Chatty [malformed]', 'Odd shape [broken]', 'Fine paper']);
  asked.length = 0;
  const log: string[] = [];
  const { generate, clock } = generator(store, { log });
  assert.deepEqual(await generate.round(), { generated: 1, failed: 2, budgetLeft: 99 });
  const warnings = log.map((line) => JSON.parse(line)).filter((l) => l.level === 40);
  assert.deepEqual(
    warnings.map((w) => [w.paper, w.reason, w.msg]),
    [
      ['2101.00001', 'the answer holds no {"summary", "keywords"} object', 'no summary generated for this paper'],
      ['2101.00002', 'an answer that is not a chat completion', 'no summary generated for this paper'],
    ],
  );
  assert.equal((await store.getPaper('2101.00001'))!.generatedSummary, null);

  assert.deepEqual(await generate.round(), { generated: 0, failed: 0, budgetLeft: 99 }, 'not asked again at once');
  assert.equal(asked.length, 3);
  clock.now = new Date(clock.now.getTime() + SUMMARY_LEASE_MS);
  assert.equal((await generate.round()).failed, 2, 'asked again an hour later');
});

test('a rate limit (429) or an endpoint that does not answer ends the round; the rest wait', async () => {
  const store = memoryStore();
  await onTheFeed(store, ['Popular [busy]', 'Waiting paper']);
  asked.length = 0;
  const { generate } = generator(store);
  assert.deepEqual(await generate.round(), { generated: 0, failed: 1, budgetLeft: 100 });
  assert.deepEqual(
    asked.map((a) => a.title),
    ['Popular [busy]'],
    'not pressed further',
  );

  const slowStore = memoryStore();
  await onTheFeed(slowStore, ['Long read [slow]', 'Waiting paper']);
  asked.length = 0;
  const log: string[] = [];
  const slow = generator(slowStore, { timeoutMs: 300, log });
  const started = performance.now();
  assert.deepEqual(await slow.generate.round(), { generated: 0, failed: 1, budgetLeft: 100 });
  assert.ok(performance.now() - started < 3_000, 'the time-out cut the wait short');
  assert.match(log.join(''), /no answer within 300 ms/);
  assert.equal(asked.length, 1);
});

test('the budget: at most so many per run and per UTC day', async () => {
  const store = memoryStore();
  await onTheFeed(store, ['One', 'Two', 'Three', 'Four', 'Five']);
  asked.length = 0;
  const { generate, clock } = generator(store, { perRun: 2, perDay: 3 });
  assert.deepEqual(await generate.round(), { generated: 2, failed: 0, budgetLeft: 1 });
  assert.deepEqual(await generate.round(), { generated: 1, failed: 0, budgetLeft: 0 });
  assert.deepEqual(await generate.round(), { generated: 0, failed: 0, budgetLeft: 0 });
  assert.equal(asked.length, 3, 'no request once the day’s budget is spent');
  clock.now = new Date(`2026-07-25T00:05:00.000Z`);
  assert.deepEqual(await generate.round(), { generated: 2, failed: 0, budgetLeft: 1 }, 'a new day');
});

test('two workers at once summarize each paper once', async () => {
  const file = join(tempDir('paperboy-summaries-'), 'paperboy.db');
  const one = new SqliteStore(file);
  const two = new SqliteStore(file);
  after(async () => {
    await one.close();
    await two.close();
  });
  const titles = Array.from({ length: 8 }, (_, i) => `Paper ${i + 1}`);
  await onTheFeed(one, titles);
  asked.length = 0;
  const rounds = await Promise.all([generator(one).generate.round(), generator(two).generate.round()]);
  assert.equal(rounds[0].generated + rounds[1].generated, 8);
  assert.deepEqual(asked.map((a) => a.title).sort(), [...titles].sort(), 'each paper asked about once');
});

test('without LLM_URL and LLM_MODEL nothing is generated and no job is scheduled; one without the other is refused', async () => {
  const store = memoryStore();
  const config = loadConfig({});
  assert.equal(config.llm, null);
  assert.equal(createSummaryGenerator({ store, config, logger: createLogger('silent') }), null);
  const queue = new InProcessJobQueue(createLogger('silent'));
  const schedules = paperboyJobSchedules({ store, config, logger: createLogger('silent'), queue, embed: null });
  assert.ok(!schedules.some((s) => s.name === 'summaries'));
  assert.throws(() => loadConfig({ LLM_URL: url }), /set both LLM_URL and LLM_MODEL/);
  assert.throws(() => loadConfig({ LLM_MODEL: 'x' }), /set both LLM_URL and LLM_MODEL/);

  const configured = loadConfig({ LLM_URL: url, LLM_MODEL: 'tiny-model' });
  const generate = createSummaryGenerator({ store, config: configured, logger: createLogger('silent') });
  assert.ok(generate);
  const withJob = paperboyJobSchedules({
    store,
    config: configured,
    logger: createLogger('silent'),
    queue,
    embed: null,
    summaries: generate,
  });
  assert.ok(withJob.some((s) => s.name === 'summaries'));
});

test('answers are read leniently but only as the JSON asked for', () => {
  assert.deepEqual(parseAnswer('{"summary": "  A short summary here.  ", "keywords": ["x", "x", "y"]}'), {
    text: 'A short summary here.',
    keywords: ['x', 'y'],
  });
  for (const bad of [
    '',
    'no json',
    '{"summary": 3}',
    '{"summary": "short"}',
    '{"keywords": ["a"]}',
    '{"summary": "x".repeat}',
  ])
    assert.throws(() => parseAnswer(bad), /no \{"summary", "keywords"\} object/, bad);
});
