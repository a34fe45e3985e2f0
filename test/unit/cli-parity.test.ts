// The fast argument path (util.parseArgs, no commander at start-up) must give every command exactly what
// commander would: the same inputs and the same options object. Both parsers run here on the same argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commanderParse, fastParse } from '../../src/cli.js';
import { COMMANDS, type CommandSpec, type OptionSpec } from '../../src/cli-spec.js';

function spec(name: string): CommandSpec {
  const found = COMMANDS.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
}

const takesValue = (option: OptionSpec): boolean => /\s[<[]/.test(option.flags);
const longOf = (option: OptionSpec): string => option.flags.split(/\s/)[0] as string;

async function assertSame(name: string, args: string[]): Promise<void> {
  const fast = fastParse(spec(name), args);
  assert.ok(fast, `the fast path takes: ${name} ${args.join(' ')}`);
  const slow = await commanderParse([name, ...args]);
  assert.deepEqual({ command: name, ...fast }, slow, `${name} ${args.join(' ')}`);
}

test('every option of every command, at once: the same options object from both parsers', async () => {
  for (const command of COMMANDS) {
    const args: string[] = command.argument ? ['first-input'] : [];
    for (const option of command.options) {
      if (!takesValue(option)) args.push(longOf(option));
      else if (option.repeatable) args.push(longOf(option), 'one', longOf(option), 'two');
      else args.push(longOf(option), `value-of-${longOf(option).slice(2)}`);
    }
    if (command.argument) args.push('last-input');
    await assertSame(command.name, args);
  }
});

test('the shapes a user types: --opt=value, a repeated plain option (last wins), negations, inputs between options', async () => {
  await assertSame('replay', ['hire.*', '--to=http://127.0.0.1:3000/x', '--set', 'a=1', 'corehr.*', '--set=b=2', '--timeout', '5s', '--timeout', '7s']);
  await assertSame('replay', []);
  await assertSame('validate', ['-', 'captures/', '--format', 'json', '--strict']);
  await assertSame('gateway', ['--no-redeliver', '--port', '0']);
  await assertSame('gateway', []);
  await assertSame('tail', ['--filter', 'hire.*', '--filter', 'corehr.*', '--json']);
  await assertSame('events', ['show', 'im.message.receive_v1', '--json']);
});

// Random invocations: any subset of a command's options, in any order, with any plain values, inputs anywhere.
const word = fc.stringMatching(/^[A-Za-z0-9_.:/=*]{1,12}$/);

for (const command of COMMANDS) {
  test(`${command.name}: random plain invocations parse the same both ways`, async () => {
    // A command without options (completion) gets invocations of inputs only.
    const optionArgs = command.options.length === 0 ? fc.constant([] as string[][]) : fc.array(
      fc.tuple(fc.constantFrom(...command.options), word, fc.boolean()).map(([option, value, inline]) => {
        if (!takesValue(option)) return [longOf(option)];
        return inline ? [`${longOf(option)}=${value}`] : [longOf(option), value];
      }),
      { maxLength: 8 },
    );
    const inputs = command.argument ? fc.array(word, { maxLength: 3 }) : fc.constant([] as string[]);
    await fc.assert(
      fc.asyncProperty(optionArgs, inputs, fc.nat(), async (options, positional, at) => {
        // An input placed between an option and its value would be that value: only splice at option boundaries.
        const boundaries = [0];
        let n = 0;
        for (const o of options) boundaries.push((n += o.length));
        const cut = boundaries[at % boundaries.length] as number;
        const built = [...options.flat().slice(0, cut), ...positional, ...options.flat().slice(cut)];
        await assertSame(command.name, built);
      }),
      { numRuns: 40 },
    );
  });
}
