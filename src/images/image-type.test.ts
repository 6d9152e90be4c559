import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extensionOf, isImageExtension, sniffImage } from './image-type.ts';
import { jpeg, png } from '../../test/image-fixtures.ts';

test('images are told by their first bytes: PNG, JPEG, GIF, WebP; nothing else', () => {
  assert.equal(sniffImage(png(1, 1)), 'png');
  assert.equal(sniffImage(jpeg()), 'jpg');
  assert.equal(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), 'gif');
  assert.equal(sniffImage(Buffer.from('GIF87a', 'latin1')), 'gif');
  assert.equal(sniffImage(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1')), 'webp');
  for (const other of [
    'RIFF\x24\x00\x00\x00WAVEfmt ',
    '<svg xmlns="http://www.w3.org/2000/svg"/>',
    '<?xml version="1.0"?><svg/>',
    '<!doctype html>',
    '%PDF-1.7',
    '',
    '\x89PNG',
    'GIF8',
  ]) {
    assert.equal(sniffImage(Buffer.from(other, 'latin1')), null, JSON.stringify(other));
  }
  assert.equal(extensionOf('image/jpeg'), 'jpg');
  assert.equal(extensionOf('image/svg+xml'), null);
  assert.equal(isImageExtension('webp'), true);
  assert.equal(isImageExtension('svg'), false);
  assert.equal(isImageExtension('constructor'), false);
});
