import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchFailedError, PoliteFetcher, parseRetryAfter, type PoliteFetchOptions } from './polite-fetch.ts';

/** A fetcher on a fake clock: sleeping moves the clock, fetches answer from a script. */
function scripted(answers: (() => Response)[], options: Partial<PoliteFetchOptions> = {}) {
  let clock = 1_000_000;
  const starts: number[] = [];
  const headers: Headers[] = [];
  const sleeps: number[] = [];
  const fetcher = new PoliteFetcher({
    userAgent: 'Paperboy/test (mailto:ops@example.org)',
    minIntervalMs: 3000,
    maxAttempts: 4,
    backoffBaseMs: 1000,
    timeoutMs: 1000,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    fetch: async (_input, init) => {
      starts.push(clock);
      headers.push(new Headers(init?.headers));
      const answer = answers.shift();
      if (!answer) throw new Error('script ran out');
      return answer();
    },
    ...options,
  });
  return {
    fetcher,
    starts,
    headers,
    sleeps,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const ok =
  (body = '<ok/>') =>
  () =>
    new Response(body, { status: 200 });
const status =
  (code: number, extra: Record<string, string> = {}) =>
  () =>
    new Response('busy', { status: code, headers: extra });
const dropped = () => () => {
  throw new TypeError('fetch failed', { cause: new Error('other side closed') });
};

test('requests start at least the interval apart and say who is asking', async () => {
  const s = scripted([ok(), ok(), ok()]);
  await s.fetcher.get('http://arxiv.test/a');
  s.advance(500);
  await s.fetcher.get('http://arxiv.test/b');
  await s.fetcher.get('http://arxiv.test/c');
  assert.deepEqual(
    s.starts.map((t) => t - s.starts[0]!),
    [0, 3000, 6000],
  );
  assert.equal(s.headers[0]!.get('user-agent'), 'Paperboy/test (mailto:ops@example.org)');
});

test('concurrent callers are served one after the other, still apart', async () => {
  const s = scripted([ok('1'), ok('2')]);
  const [a, b] = await Promise.all([s.fetcher.get('http://arxiv.test/a'), s.fetcher.get('http://arxiv.test/b')]);
  assert.deepEqual([a.text, b.text], ['1', '2']);
  assert.equal(s.starts[1]! - s.starts[0]!, 3000);
});

test('a 503 with Retry-After waits what it says (seconds or a date), then retries', async () => {
  const s = scripted([status(503, { 'retry-after': '20' }), ok()]);
  const response = await s.fetcher.get('http://arxiv.test/a');
  assert.equal(response.status, 200);
  assert.equal(s.starts[1]! - s.starts[0]!, 20_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(parseRetryAfter('soon', 0), null);
  assert.equal(parseRetryAfter(null, 0), null);
});

test('a Retry-After of days is capped', async () => {
  const s = scripted([status(503, { 'retry-after': '864000' }), ok()], { maxRetryAfterMs: 60_000 });
  await s.fetcher.get('http://arxiv.test/a');
  assert.equal(s.starts[1]! - s.starts[0]!, 60_000);
});

test('without Retry-After: exponential back-off with jitter, never shorter than the interval', async () => {
  const s = scripted([status(503), status(502), dropped(), ok()], { minIntervalMs: 0, random: () => 0.5 });
  await s.fetcher.get('http://arxiv.test/a');
  const gaps = s.starts.slice(1).map((t, i) => t - s.starts[i]!);
  // step = 1000 * 2^(attempt-1); wait = step/2 + random*step/2 = 0.75 * step
  assert.deepEqual(gaps, [750, 1500, 3000]);
  const jittered = scripted([status(503), ok()], { minIntervalMs: 0, random: () => 0 });
  await jittered.fetcher.get('http://arxiv.test/a');
  assert.equal(jittered.starts[1]! - jittered.starts[0]!, 500, 'half of the step is fixed');
});

test('gives up after the allowed attempts with what went wrong; other statuses are returned at once', async () => {
  const s = scripted([status(503), status(503), status(503), status(503)]);
  await assert.rejects(
    s.fetcher.get('http://arxiv.test/a'),
    (error: unknown) =>
      error instanceof FetchFailedError &&
      error.status === 503 &&
      /gave up after 4 attempts \(HTTP 503\)/.test(error.message),
  );
  const notFound = scripted([() => new Response('nope', { status: 404 })]);
  assert.deepEqual(await notFound.fetcher.get('http://arxiv.test/x'), {
    status: 404,
    text: 'nope',
    url: 'http://arxiv.test/x',
  });
  assert.equal(notFound.starts.length, 1);
});

test('a body larger than allowed is refused, not retried', async () => {
  const s = scripted([ok('x'.repeat(2000))], { maxBytes: 1000 });
  await assert.rejects(s.fetcher.get('http://arxiv.test/big'), /larger than the 1000 bytes allowed/);
  assert.equal(s.starts.length, 1);
});
