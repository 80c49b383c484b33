#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner through tsx.
// Node 20's --test does not expand globs, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
let files = ['src', 'test'].flatMap((dir) => findTests(dir)).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('run-tests: no test files matched', filter);
  process.exit(1);
}
// Install the pinned OpenBao once, up front, so a failure is reported once and loudly.
const install = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'install-openbao'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (install.status !== 0) {
  console.error('run-tests: could not install OpenBao (see above); integration tests cannot run.');
  process.exit(1);
}

// Integration test files each start their own OpenBao; two at a time fits 2 cores.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
