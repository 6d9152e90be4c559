import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfig } from './config.ts';

test('every section has its defaults, and what derives from a setting follows it', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.modelDir, resolve('data', 'models'));
  assert.equal(config.embedder, null);
  assert.deepEqual(config.modelHub, { endpoint: 'https://huggingface.co', token: null });
  assert.deepEqual(config.digest.at, { hour: 7, minute: 0 });
  assert.equal(config.digest.timeZone, 'UTC');
  assert.deepEqual(config.ingest.harvest.sets, ['cs']);
  assert.deepEqual(config.ingest.harvest.at, { hour: 4, minute: 30 });
  assert.equal(config.ingest.autoFeature, null);
  assert.equal(config.jobs.schema, 'pgboss');

  const set = loadConfig({ PORT: '8080', DATABASE_URL: '/srv/paperboy/site.db', EMBEDDER: '' });
  assert.equal(set.publicUrl, 'http://localhost:8080');
  assert.equal(set.modelDir, '/srv/paperboy/models');
  assert.equal(set.mail.outboxDir, '/srv/paperboy/outbox');
  assert.equal(set.embedder, null, 'an empty variable is unset');
});

test('flags win over the environment without changing it; an empty flag means the default', () => {
  const env = { PORT: '4000', DATABASE_URL: '/srv/a/site.db', PAPERBOY_CONTACT: 'env@example.org', DIGEST_RATE: '5' };
  const config = loadConfig(env, {
    PORT: '5000',
    DATABASE_URL: '/srv/b/site.db',
    PAPERBOY_CONTACT: undefined,
    DIGEST_RATE: '',
  });
  assert.equal(config.port, 5000);
  assert.equal(config.publicUrl, 'http://localhost:5000');
  assert.equal(config.modelDir, '/srv/b/models');
  assert.equal(config.ingest.contact, 'env@example.org', 'a flag not given leaves the variable');
  assert.equal(config.digest.rate, 0);
  assert.deepEqual(env, {
    PORT: '4000',
    DATABASE_URL: '/srv/a/site.db',
    PAPERBOY_CONTACT: 'env@example.org',
    DIGEST_RATE: '5',
  });
});

test('a wrong setting, from the environment or a flag, is named with the reason', () => {
  assert.throws(() => loadConfig({ DIGEST_AT: '25:00' }), /^Error: configuration: DIGEST_AT: DIGEST_AT must be HH:MM$/);
  assert.throws(
    () => loadConfig({ DIGEST_TIMEZONE: 'Mars/Olympus' }),
    /configuration: DIGEST_TIMEZONE: DIGEST_TIMEZONE must be an IANA time zone/,
  );
  assert.throws(
    () => loadConfig({ PAPERBOY_CONTACT: 'nobody' }),
    /configuration: PAPERBOY_CONTACT: PAPERBOY_CONTACT must be an email address/,
  );
  assert.throws(
    () => loadConfig({ PAPERBOY_AUTO_FEATURE: '{"categorys":["cs.CL"]}' }),
    /configuration: PAPERBOY_AUTO_FEATURE: \(rules\): Unrecognized key/,
  );
  assert.throws(
    () => loadConfig({ PAPERBOY_JOBS_HEARTBEAT_SECONDS: '5' }),
    /configuration: PAPERBOY_JOBS_HEARTBEAT_SECONDS: /,
  );
  assert.throws(() => loadConfig({}, { PORT: 'eighty' }), /configuration: PORT: /);
  assert.throws(() => loadConfig({}, { DIGEST_CONCURRENCY: '0' }), /configuration: DIGEST_CONCURRENCY: /);
});
