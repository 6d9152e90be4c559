import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageSize } from './image-size.ts';
import { jpeg, png } from '../../test/image-fixtures.ts';

test('the declared size of each kind of image the cache keeps', () => {
  assert.deepEqual(imageSize(png(40, 20), 'png'), { width: 40, height: 20 });
  assert.deepEqual(imageSize(jpeg(), 'jpg'), { width: 8, height: 8 });
  const gif = Buffer.from([...Buffer.from('GIF89a'), 0x2c, 0x01, 0x10, 0x00, 0, 0, 0]);
  assert.deepEqual(imageSize(gif, 'gif'), { width: 300, height: 16 });
  // An extended WebP header (VP8X) declaring 50,000 × 40,000: what a decompression bomb would say.
  const webp = Buffer.alloc(30);
  webp.write('RIFF', 0, 'ascii');
  webp.write('WEBPVP8X', 8, 'ascii');
  webp.writeUIntLE(49_999, 24, 3);
  webp.writeUIntLE(39_999, 27, 3);
  assert.deepEqual(imageSize(webp, 'webp'), { width: 50_000, height: 40_000 });
});

test('a header cut short or malformed has no size', () => {
  assert.equal(imageSize(png(4, 4).subarray(0, 20), 'png'), null);
  assert.equal(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 2, 0x12, 0x34, 0, 0, 0, 0]), 'jpg'), null);
  assert.equal(imageSize(Buffer.from('GIF89a'), 'gif'), null);
});
