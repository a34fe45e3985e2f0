// The parsers that meet untrusted input, fuzzed with a fixed seed (reproducible in CI); `node scripts/fuzz.js`
// runs the same properties longer, with a fresh seed.
import { test } from 'node:test';
import * as fc from 'fast-check';
import { fuzzProperties } from '../helpers/fuzz-properties.js';

for (const { name, property } of fuzzProperties(fc)) {
  test(`fuzz: ${name}`, () => {
    fc.assert(property as fc.IProperty<never>, { seed: 20261201, numRuns: 300 });
  });
}
