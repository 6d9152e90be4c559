/**
 * Behind nginx (`$proxy_add_x_forwarded_for` appends), the leftmost X-Forwarded-For entries are whatever the client
 * sent: a flood that writes a new address there each time must still be counted as the one client the proxy saw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { communityApp, postForm } from '../community-helpers.ts';
import { memoryStore } from '../helpers.ts';

/** Sign-in requests for 21 different addresses from one network: the limit is 20 an hour, the last is refused. */
async function lastOfFlood(trustProxy: string, forwardedFor: (i: number) => string): Promise<number> {
  const { app } = communityApp(memoryStore(), { TRUST_PROXY: trustProxy });
  let status = 0;
  for (let i = 0; i < 21; i++) {
    const response = await postForm(
      app,
      '/signin',
      { email: `someone${i}@example.org`, next: '/' },
      { 'x-forwarded-for': forwardedFor(i) },
    );
    status = response.status;
  }
  return status;
}

test('one proxy: a spoofed leftmost entry does not make a new client', async () => {
  assert.equal(await lastOfFlood('1', (i) => `10.9.${i}.1, 192.0.2.1`), 429);
});

test('two proxies: the second entry from the right is the client, whatever the client wrote before it', async () => {
  assert.equal(await lastOfFlood('2', (i) => `10.9.${i}.1, 192.0.2.1, 198.51.100.2`), 429);
  // Different real clients (second from the right) are different networks: nobody is refused.
  assert.equal(await lastOfFlood('2', (i) => `192.0.2.1, 10.9.${i}.1, 198.51.100.2`), 200);
});

test('fewer entries than trusted proxies: no entry is believed', async () => {
  assert.equal(await lastOfFlood('3', (i) => `10.9.${i}.1, 192.0.2.1`), 429);
});

test('TRUST_PROXY is a number of proxies; 1 keeps meaning one', () => {
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).community.trustProxy, 1);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).community.trustProxy, 2);
  assert.equal(loadConfig({}).community.trustProxy, 0);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'yes' }));
});
