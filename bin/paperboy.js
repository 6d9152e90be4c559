#!/usr/bin/env node
// Runs the CLI on the Node.js 24 that the project pins (the `node` dev dependency), whatever node started us.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(main);
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  const result = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) {
    console.error(`paperboy needs Node.js 24: run npm install first (${result.error.message})`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
