// A node:test reporter that writes nothing to its destination: it adds up the durations of each file's top-level
// tests and merges them into dist/.test-times.json, so that scripts/run-tests.js starts the slowest files first.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const timesFile = join(root, 'dist', '.test-times.json');

export default async function* testTimes(source) {
  const spent = new Map();
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0 || !event.data.file) continue;
    const file = relative(root, event.data.file);
    spent.set(file, (spent.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
  }
  let times = {};
  try {
    times = JSON.parse(readFileSync(timesFile, 'utf8'));
  } catch {
    // First run, or a file left half-written: start again.
  }
  for (const [file, ms] of spent) times[file] = Math.round(ms);
  try {
    writeFileSync(timesFile, `${JSON.stringify(times, null, 2)}\n`);
  } catch {
    // Only an ordering hint: never fail a test run over it.
  }
  yield '';
}
