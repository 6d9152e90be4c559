/**
 * Nobody can lock a member out of sign-in by asking for links to their address: past the per-address limit no
 * more mail is sent (no mail bombing), the newest link already sent keeps working, and the member's own request
 * from another network is answered with a page that says what to do, never a 429.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignInService } from '../../src/community/sign-in.ts';
import { RateLimiter } from '../../src/community/rate-limits.ts';
import { createMailer, listOutbox } from '../../src/mail/mailer.ts';
import { createLogger } from '../../src/log.ts';
import { loadConfig } from '../../src/config.ts';
import { communityApp, postForm, signInLink } from '../community-helpers.ts';
import { memoryStore, tempDir } from '../helpers.ts';
import { readInstanceIdentity } from '../../src/instance/identity.ts';

const VICTIM = 'victim@example.org';
const ATTACKER_NETWORK = '203.0.113.9';
const VICTIM_NETWORK = '198.51.100.7';

test('links asked for by someone else do not stop the member: 20 minutes later the newest one still signs in', async () => {
  const store = memoryStore();
  const outboxDir = tempDir('paperboy-outbox-');
  const signIn = new SignInService({
    store: store.community,
    access: store.access,
    policy: loadConfig({}).access,
    mailer: createMailer({ smtpUrl: null, from: 'p@example.org', replyTo: null, outboxDir }),
    publicUrl: 'http://paperboy.test',
    limiter: new RateLimiter(store.community, 1),
    logger: createLogger('silent'),
    identity: { current: () => readInstanceIdentity(store) },
  });
  // Rate windows are whole clock hours: start at the top of this one, so that t0 + 20 minutes is in the same window.
  const t0 = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  for (let i = 0; i < 8; i++) {
    const asked = await signIn.request(VICTIM, ATTACKER_NETWORK, '/', new Date(t0.getTime() + i * 1000));
    assert.equal(asked.ok, true);
  }
  assert.equal(listOutbox(outboxDir).length, 5, 'five emails an hour at most');

  // The member asks 20 minutes later (every link sent so far has expired by its own 15 minutes) from home.
  const later = new Date(t0.getTime() + 20 * 60_000);
  const own = await signIn.request(VICTIM, VICTIM_NETWORK, '/', later);
  assert.deepEqual(own, { ok: true, email: VICTIM, sent: false, joinRule: null });
  assert.equal(listOutbox(outboxDir).length, 5, 'still no sixth email');
  const newest = (await signInLink(outboxDir, VICTIM)).searchParams.get('token')!;
  const done = await signIn.complete(newest, new Date(later.getTime() + 60_000));
  assert.equal(done.ok, true, 'the newest link signs the member in');
});

test('over HTTP the member is told what to do, and a flood from one network is refused with a reason', async () => {
  const store = memoryStore();
  const { app } = communityApp(store, { TRUST_PROXY: '1' });
  const from = (address: string) => ({ 'x-forwarded-for': address });
  for (let i = 0; i < 6; i++)
    assert.equal((await postForm(app, '/signin', { email: VICTIM, next: '/' }, from(ATTACKER_NETWORK))).status, 200);
  const own = await postForm(app, '/signin', { email: VICTIM, next: '/' }, from(VICTIM_NETWORK));
  assert.equal(own.status, 200);
  assert.match(
    await own.text(),
    /did not send another. The newest of those emails has a link that works for the next 15 minutes/,
  );

  // One network asking for many addresses is refused, saying why.
  let last: Response | undefined;
  for (let i = 0; i < 21; i++)
    last = await postForm(app, '/signin', { email: `someone${i}@example.org`, next: '/' }, from('192.0.2.1'));
  assert.equal(last!.status, 429);
  assert.match(await last!.text(), /Too many sign-in requests from your network/);
});
