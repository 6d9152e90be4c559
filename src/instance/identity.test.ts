import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLogo, checkSettingsForm } from './identity.ts';
import { jpeg, png } from '../../test/image-fixtures.ts';

const FORM = {
  name: 'Lab Papers',
  description: 'What we read.',
  accent: '#0F766E',
  contact: 'a@lab.example',
  about: '',
};

test('the settings form: trimmed values, empty fields back to the default, the accent written one way', () => {
  const checked = checkSettingsForm({ ...FORM, name: '  Lab Papers ', description: '', about: 'Rules:\r\n- kind\r\n' });
  assert.deepEqual(checked, {
    ok: true,
    changes: {
      name: 'Lab Papers',
      description: null,
      accent: '#0f766e',
      contact: 'a@lab.example',
      about: 'Rules:\n- kind',
    },
  });
});

test('the settings form refuses what would break a header, disguise the name or not fit', () => {
  const refused = (fields: Record<string, string>) => {
    const checked = checkSettingsForm({ ...FORM, ...fields });
    assert.equal(checked.ok, false, JSON.stringify(fields));
    return checked.ok ? {} : checked.errors;
  };
  assert.match(refused({ name: 'Lab\nPapers' }).name!, /one line/);
  assert.match(refused({ name: 'Lab \u202esrepaP' }).name!, /one line/, 'a text-direction override');
  assert.match(refused({ name: 'x'.repeat(61) }).name!, /at most 60 characters \(this is 61\)/);
  assert.equal(checkSettingsForm({ ...FORM, name: '🦀'.repeat(60) }).ok, true, 'characters, not UTF-16 units');
  assert.match(refused({ description: 'x'.repeat(201) }).description!, /at most 200/);
  assert.match(refused({ accent: 'url(//evil.example/x)' }).accent!, /six hexadecimal digits/);
  assert.match(refused({ contact: 'a@lab.example\r\nBcc: b@x.example' }).contact!, /line breaks/);
  assert.match(refused({ about: 'a\u0000b' }).about!, /control characters/);
  assert.match(refused({ about: 'x'.repeat(20_001) }).about!, /at most 20,000 characters/);
});

test('logos are judged by their bytes', () => {
  assert.equal(checkLogo(png(128, 32)).ok, true);
  assert.equal(checkLogo(jpeg()).ok, true);
  const gif = Buffer.from([...Buffer.from('GIF89a'), 0x20, 0x00, 0x20, 0x00, 0, 0, 0]);
  assert.equal(checkLogo(gif).ok, true);
  const refusal = (bytes: Uint8Array) => {
    const checked = checkLogo(bytes);
    return checked.ok ? '' : checked.error;
  };
  assert.match(refusal(new Uint8Array(0)), /Choose an image file/);
  assert.match(refusal(Buffer.from('<svg onload="alert(1)"/>')), /SVG logos are not accepted/);
  assert.match(refusal(Buffer.from('  <?xml version="1.0"?><!DOCTYPE svg><svg/>')), /SVG logos are not accepted/);
  assert.match(refusal(Buffer.from('GIF89a')), /damaged/);
  assert.match(refusal(png(1025, 1)), /1025 × 1 pixels/);
  assert.match(refusal(png(1, 0)), /damaged/);
});
