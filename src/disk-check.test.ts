import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileWriteProblem, folderWriteProblem, fsReason } from './disk-check.ts';

test('a writable folder has no problem and keeps no trace of the check; a path through a file has one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-disk-check-'));
  try {
    assert.equal(folderWriteProblem(join(dir, 'made')), null);
    assert.deepEqual(readdirSync(join(dir, 'made')), []);
    writeFileSync(join(dir, 'file'), '');
    assert.equal(
      folderWriteProblem(join(dir, 'file', 'below')),
      'a part of the path is a file, not a folder (ENOTDIR)',
    );
    assert.equal(folderWriteProblem(join(dir, 'file')), 'a file stands where the folder should be (EEXIST)');
    assert.equal(fileWriteProblem(join(dir, 'file')), null);
    assert.equal(fileWriteProblem(join(dir, 'missing')), 'no such file or folder (ENOENT)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors without a known code keep their own message', () => {
  assert.equal(fsReason(Object.assign(new Error('boom'), { code: 'EWHATEVER' })), 'boom');
  assert.equal(fsReason(Object.assign(new Error('x'), { code: 'ENOSPC' })), 'no space left on the device (ENOSPC)');
});
