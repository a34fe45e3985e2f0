#!/usr/bin/env node
// A longer fuzz run than the test suite's: the same properties (test/helpers/fuzz-properties.ts), a fresh seed
// each time (printed, so a failure can be replayed with FUZZ_SEED). Build first: npm run build.
//   node scripts/fuzz.js            20,000 runs per property
//   FUZZ_RUNS=200000 FUZZ_SEED=42 node scripts/fuzz.js
import fc from 'fast-check';
import { fuzzProperties } from '../dist/test/helpers/fuzz-properties.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 20_000);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
console.log(`fuzz: seed ${seed}, ${numRuns} runs per property`);
let failed = 0;
for (const { name, property } of fuzzProperties(fc)) {
  const started = performance.now();
  const result = fc.check(property, { seed, numRuns });
  const ms = Math.round(performance.now() - started);
  if (result.failed) {
    failed++;
    console.log(`✗ ${name} (${ms} ms)\n${fc.defaultReportMessage(result)}`);
  } else console.log(`✓ ${name}: ${result.numRuns} runs in ${ms} ms`);
}
process.exit(failed > 0 ? 1 : 0);
