// replay and validate must start fast: nothing they can ever load (static or dynamic imports) pulls in
// ink, react or the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { root } from '../helpers/cli.js';

/** Every module reachable from `entry` through static and dynamic imports; bare specifiers are collected as packages. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));
    }
  }
  return { files, packages };
}

const HEAVY = ['ink', 'react', '@larksuiteoapi/node-sdk', 'ws'];

for (const command of ['replay', 'validate']) {
  test(`${command} can never load ${HEAVY.join(', ')}`, () => {
    const { files, packages } = reachable(join(root, 'dist', 'src', 'commands', `${command}.js`));
    assert.ok(files.size > 3, 'the graph was followed');
    for (const heavy of HEAVY) assert.equal(packages.has(heavy), false, `${command} reaches ${heavy}`);
  });
}

test('the graph walker sees what tail loads (so the check above can fail)', () => {
  const { packages } = reachable(join(root, 'dist', 'src', 'commands', 'tail.js'));
  assert.ok(packages.has('ink'));
  assert.ok(packages.has('@larksuiteoapi/node-sdk'));
});
