import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/cli-spec.js';
import { fastParse } from '../../src/cli.js';

const spec = (name: string) => COMMANDS.find((c) => c.name === name) as (typeof COMMANDS)[number];

test("the fast path gives the options object commander's action would get", () => {
  assert.deepEqual(fastParse(spec('validate'), ['a.ndjson', '-', '--format', 'json', '--strict', '--encrypt-key=k', '--unknown-type', 'error', '--schemas', 'dir']), {
    inputs: ['a.ndjson', '-'],
    options: { format: 'json', strict: true, encryptKey: 'k', unknownType: 'error', schemas: 'dir' },
  });
  assert.deepEqual(fastParse(spec('validate'), []), { inputs: [], options: {} });
  assert.deepEqual(fastParse(spec('replay'), ['hire.*', '--set', 'a=1', '--set', 'b=2', '--keep-ids', '--to', 'http://x/']), {
    inputs: ['hire.*'],
    options: { set: ['a=1', 'b=2'], keepIds: true, to: 'http://x/', control: true },
  });
  assert.deepEqual(fastParse(spec('tail'), ['--filter', 'hire.*', '--app-id', 'cli_x']), { inputs: [], options: { filter: ['hire.*'], appId: 'cli_x' } });
});

test('negated flags default to true, as in commander', () => {
  assert.equal(fastParse(spec('gateway'), [])?.options.redeliver, true);
  assert.equal(fastParse(spec('gateway'), ['--no-redeliver'])?.options.redeliver, false);
});

test('help, unknown options, missing values and stray inputs are left to commander', () => {
  assert.equal(fastParse(spec('validate'), ['--help']), undefined);
  assert.equal(fastParse(spec('validate'), ['x.json', '-h']), undefined);
  assert.equal(fastParse(spec('validate'), ['x.json', '--colour']), undefined);
  assert.equal(fastParse(spec('validate'), ['x.json', '--format']), undefined);
  assert.equal(fastParse(spec('tail'), ['stray']), undefined, 'tail takes no inputs');
  assert.deepEqual(fastParse(spec('gateway'), ['fault', 'slow', '500', '--client', 'client-2'])?.inputs, ['fault', 'slow', '500'], 'gateway fault <kind> [args]');
});

test('every option of every command has a well-formed spec', () => {
  for (const command of COMMANDS) {
    const longs = new Set<string>();
    for (const option of command.options) {
      assert.match(option.flags, /^--(no-)?[a-z0-9-]+( <[^>]+>)?$/, `${command.name} ${option.flags}`);
      const long = option.flags.split(' ')[0] as string;
      assert.equal(longs.has(long), false, `${command.name} ${long} twice`);
      longs.add(long);
      assert.ok(option.description.length > 5);
    }
  }
});
