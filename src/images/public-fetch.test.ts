import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPublicAddress } from './public-fetch.ts';

test('only public addresses are public: not this host, private networks, link-local or special ranges', () => {
  for (const address of ['8.8.8.8', '151.101.1.69', '2606:4700::6810:85e5', '2a00:1450:4001:80b::200e']) {
    assert.equal(isPublicAddress(address), true, address);
  }
  for (const address of [
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    'localhost',
    '',
  ]) {
    assert.equal(isPublicAddress(address), false, address);
  }
});
