// The bad-input corpus, generated here: files no one should feed the CLI, run through validate, replay and tail.
// Whatever the input, a run ends with exit 0, 1 or 2, and an error is one line (plus a hint): never a stack trace,
// never exit 70. Runs go in parallel, a few at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeFifo, root, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { APP_ID } from '../helpers/gateway.js';

interface Case {
  name: string;
  args: string[];
  /** Exit codes this case may end with. */
  codes: number[];
  /** Something stderr or stdout must say. */
  says?: RegExp;
  input?: string;
  /** Spawn the built bin (stdin, signals, process-wide effects); the others run in this process through main(). */
  spawn?: boolean;
}


const STACK = /\n\s+at |internal error|TypeError|RangeError|SyntaxError: /;

/** Run cases a few at a time: the machine is shared. */
async function runAll(cases: Case[], width = 4): Promise<Array<[Case, RunResult]>> {
  const results: Array<[Case, RunResult]> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        const result = c.spawn ? await runCli(c.args, { ...(c.input !== undefined ? { input: c.input } : {}), timeoutMs: 60_000 }) : await runInProcess(c.args, c.input === undefined ? {} : { input: c.input });
        results.push([c, result]);
      }
    }),
  );
  return results;
}

function check(results: Array<[Case, RunResult]>): void {
  const problems: string[] = [];
  for (const [c, r] of results) {
    const all = `${r.stdout}${r.stderr}`;
    if (r.code === null || !c.codes.includes(r.code)) problems.push(`${c.name}: exit ${r.code}, expected ${c.codes.join('/')}\n${r.stderr.slice(0, 400)}`);
    if (STACK.test(r.stderr)) problems.push(`${c.name}: a stack trace or internal error\n${r.stderr.slice(0, 600)}`);
    // In --json mode the error is one JSON object on a line of its own.
    const oneLineError = c.args.includes('--json') ? /(^|\n)\{"error":[^\n]+\}\n$/ : /(^|\n)feishu-events: [^\n]+\n(  hint: [^\n]+\n)?$/;
    if (r.code === 2 && !oneLineError.test(r.stderr)) problems.push(`${c.name}: exit 2 without a one-line error at the end\n${r.stderr.slice(-400)}`);
    if (c.says && !c.says.test(all)) problems.push(`${c.name}: does not say ${c.says}\n${all.slice(0, 400)}`);
  }
  assert.deepEqual(problems, []);
}

const EVENT = JSON.parse(await readFile(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')) as { header: Record<string, unknown> };
const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

test('the hostile-input corpus: validate and replay give exit 0/1/2 and one-line errors, never a stack', async () => {
  const { dir, cleanup } = await tempDir();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const to = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/event`;
  try {
    const f = (name: string): string => join(dir, name);
    const hostileType = { ...EVENT, header: { ...EVENT.header, event_type: 'x\u001b[2J\n::error::injected\r::stop-commands::tok' } };
    const files: Record<string, string | Buffer> = {
      'deep-closed.json': `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      'binary.json': Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x80, 0x81]),
      'binary.ndjson': Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d, 0x0a, 0x00, 0x0a]),
      'invalid-utf8.ndjson': Buffer.concat([Buffer.from(line(EVENT)), Buffer.from('{"schema":"2.0","header":{"event_type":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}\n')]),
      'invalid-utf8.json': Buffer.concat([Buffer.from('{"schema":"2.0","x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      'bom-crlf.ndjson': `\ufeff${JSON.stringify(EVENT)}\r\n${JSON.stringify(EVENT)}\r\n`,
      'proto.json': JSON.stringify({ ...EVENT, event: { __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } } }).replace('"event":{', '"event":{"__proto__":{"polluted":true},'),
      'hostile-type.ndjson': line(hostileType),
      'empty.json': '',
      'blank.ndjson': '\n\n   \n',
      'huge-number.json': JSON.stringify(EVENT).replace(/"create_time":"[^"]*"/, '"create_time":1e999'),
      'not-events.json': '[1, "two", null, true, [], {}]',
      'long-line.ndjson': `${JSON.stringify({ ...EVENT, event: { pad: 'x'.repeat(8000) } })}\n${JSON.stringify(EVENT)}\n`,
      'truncated.ndjson': line(EVENT).slice(0, 40),
      'nul-line.ndjson': '\u0000\u0000\u0000\n',
      'self.schema.json': '{"$ref":"#"}',
      'true.schema.json': 'true',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(f(name), content);
    await symlink(f('loop.json'), f('loop.json'));
    await mkdir(f('dir.json'));
    const cases: Case[] = [];
    // blank.ndjson holds no event: nothing to check is exit 1 (--allow-empty accepts it).
    const okToValidate = new Set(['bom-crlf.ndjson', 'hostile-type.ndjson']);
    const okToReplay = new Set(['bom-crlf.ndjson', 'hostile-type.ndjson', 'huge-number.json', 'proto.json']);
    for (const name of Object.keys(files).filter((n) => !n.endsWith('.schema.json'))) {
      cases.push({ name: `validate ${name}`, args: ['validate', f(name), '--max-event-size', '6KiB'], codes: okToValidate.has(name) ? [0] : [1, 2] });
      cases.push({ name: `replay ${name}`, args: ['replay', f(name), '--to', to, '--no-control', '--max-event-size', '6KiB'], codes: okToReplay.has(name) ? [0] : [2] });
    }
    cases.push({ name: 'validate --format github hostile-type.ndjson', args: ['validate', f('hostile-type.ndjson'), '--format', 'github'], codes: [0] });
    cases.push(
      { name: 'validate symlink loop', args: ['validate', f('loop.json')], codes: [2], says: /loop\.json/ },
      { name: 'replay symlink loop', args: ['replay', f('loop.json'), '--to', to], codes: [2] },
      { name: 'validate directory named .json', args: ['validate', f('dir.json')], codes: [2] },
      { name: 'validate /dev/zero', spawn: true, args: ['validate', '/dev/zero', '--max-event-size', '1MiB'], codes: [2], says: /longer than 1 MiB/ },
      { name: 'replay /dev/zero', args: ['replay', '/dev/zero', '--to', to, '--max-event-size', '1MiB'], codes: [2], says: /longer than 1 MiB/ },
      { name: 'validate stdin of zeros', spawn: true, args: ['validate', '-', '--max-event-size', '64KiB'], input: '\u0000'.repeat(200_000), codes: [2], says: /longer than 64 KiB/ },
      { name: 'validate --schema self-referencing', args: ['validate', f('bom-crlf.ndjson'), '--schema', f('self.schema.json')], codes: [2], says: /recursed without end/ },
      { name: 'validate --schema true', args: ['validate', f('bom-crlf.ndjson'), '--schema', f('true.schema.json')], codes: [0] },
      { name: 'validate --max-event-size nonsense', args: ['validate', f('empty.json'), '--max-event-size', 'lots'], codes: [2] },
      { name: 'replay --set __proto__', args: ['replay', 'im.message.receive_v1', '--to', to, '--set', '__proto__.x=1'], codes: [2], says: /"__proto__" is not allowed/ },
      { name: 'replay --set constructor', args: ['replay', 'im.message.receive_v1', '--to', to, '--set', 'event.constructor.prototype.x=1'], codes: [2] },
      { name: 'replay --set huge index', args: ['replay', 'im.message.receive_v1', '--to', to, '--set', 'event.arr.300000000=1'], codes: [2], says: /index 300000000 is too large/ },
      { name: 'replay --retries 1000h', args: ['replay', 'im.message.receive_v1', '--to', to, '--retries', '1000h'], codes: [2], says: /longest supported duration/ },
      { name: 'replay --timeout 1000h', args: ['replay', 'im.message.receive_v1', '--to', to, '--timeout', '1000h'], codes: [2] },
      { name: 'gateway --ack-timeout 1000h', spawn: true, args: ['gateway', '--ack-timeout', '1000h'], codes: [2] },
      { name: 'replay --wait-client huge', args: ['replay', 'im.message.receive_v1', '--gateway', to, '--wait-client', '99999999999'], codes: [2] },
      { name: 'replay --to with a password, not a URL', spawn: true, args: ['replay', 'im.message.receive_v1', '--to', 'http://u:Pw0rdSecret@127.0.0.1:99999/'], codes: [2] },
      { name: 'tail --save to a directory', spawn: true, args: ['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', to, '--json', '--save', dir], codes: [2], says: /it is a directory/ },
      { name: 'tail --save in a missing directory', args: ['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', to, '--json', '--save', f('missing/x.ndjson')], codes: [2], says: /directory does not exist/ },
      { name: 'tail against something that is not a gateway', spawn: true, args: ['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', to.replace('/webhook/event', ''), '--json'], codes: [2], says: /is not a long-connection endpoint: POST \/callback\/ws\/endpoint answered HTTP 200/ },
    );
    const results = await runAll(cases);
    check(results);
    const output = (name: string): string => {
      const r = results.find(([c]) => c.name === name)?.[1];
      return `${r?.stdout ?? ''}${r?.stderr ?? ''}`;
    };
    // What some of them say, precisely.
    assert.match(output('validate invalid-utf8.ndjson'), /invalid-utf8\.ndjson:2:42 .*\n\s+invalid UTF-8/);
    assert.match(output('validate long-line.ndjson'), /long-line\.ndjson:1:1 .*\n\s+the line is longer than 6 KiB \(raise the limit with --max-event-size\)/);
    assert.match(output('validate huge-number.json'), /Infinity \(a number beyond the range of a double, such as 1e999\)/);
    assert.doesNotMatch(output('validate hostile-type.ndjson'), /\u001b|\n::error/);
    assert.doesNotMatch(output('validate --format github hostile-type.ndjson'), /(^|\n)\s*::(error|stop-commands)::injected|\n::stop-commands/);
    assert.ok(!output('replay --to with a password, not a URL').includes('Pw0rdSecret'), 'the password is masked');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    server.close();
    await cleanup();
  }
});

test('a FIFO as input is read like a file', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const fifo = join(dir, 'events.ndjson');
    if (!makeFifo(t, fifo)) return;
    const run = runCli(['validate', fifo]);
    await writeFile(fifo, line(EVENT));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 event checked: 1 valid/);
  } finally {
    await cleanup();
  }
});

test('deep nesting: unterminated or not, in a file or on stdin, is invalid JSON at its end — never a stack overflow', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(join(dir, 'deep.json'), '['.repeat(6000));
    await writeFile(join(dir, 'deep.ndjson'), `${'{"a":'.repeat(6000)}\n`);
    const cases: Case[] = [
      { name: 'validate deep.json', args: ['validate', join(dir, 'deep.json')], codes: [1], says: /deep\.json:1:6001 .*\n\s+invalid JSON: unexpected end of JSON/ },
      { name: 'validate deep.ndjson', args: ['validate', join(dir, 'deep.ndjson')], codes: [1], says: /invalid JSON/ },
      { name: 'replay deep.json', args: ['replay', join(dir, 'deep.json'), '--to', 'http://127.0.0.1:9/'], codes: [2], says: /deep\.json:1:6001: invalid JSON/ },
      { name: 'validate - deep', spawn: true, args: ['validate', '-'], input: '['.repeat(100_000), codes: [1] },
      { name: 'replay - deep', spawn: true, args: ['replay', '-', '--to', 'http://127.0.0.1:9/'], input: '{"a":'.repeat(100_000), codes: [2] },
    ];
    check(await runAll(cases));
  } finally {
    await cleanup();
  }
});
