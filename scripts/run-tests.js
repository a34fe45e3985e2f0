#!/usr/bin/env node
// Runs every compiled test (dist/test/**/*.test.js) with node's test runner; its closing lines count passes and failures.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');
const filter = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const files = walk(testDir)
  .filter((file) => filter.length === 0 || filter.some((f) => relative(root, file).includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
});
process.exit(result.status ?? 1);
