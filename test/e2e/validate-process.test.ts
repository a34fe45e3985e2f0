// validate as a process in a pipeline: a reader that goes away (`validate … | head -1`), SIGINT / SIGTERM, and a FIFO
// whose writer keeps it open. The
// exit code says what was observed: the events are checked to the end whoever reads the report, and a stop says
// how far it got.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bin, fifoLeftOpen, holdsOpen, killAtEnd, makeFifo, root, startCli, tempDir } from '../helpers/cli.js';
import { waitUntil } from '../helpers/gateway.js';

const sample = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json'), 'utf8')) as Record<string, unknown>;
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const invalid = (envelope: Record<string, unknown>): Record<string, unknown> => ({ ...envelope, event: { ...(envelope.event as object), exam_id: 42 } });

describe('validate in a pipeline', { concurrency: true }, () => {
  test('validate big.ndjson --format json | head -1: the output stops, the checks do not — exit 1 for the invalid event at the end', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const good = JSON.stringify(await sample());
      // Far more output than a pipe holds (one JSON object per event), so that writes fail once the reader is gone.
      const file = join(dir, 'big.ndjson');
      await writeFile(file, `${`${good}\n`.repeat(20_000)}${JSON.stringify(invalid(await sample()))}\n`);
      for (const format of ['json', 'pretty']) {
        const run = startCli(['validate', file, '--format', format]);
        // json: the first valid event's object; pretty (silent on valid events): the finding, after every valid event.
        await waitUntil(() => run.stdout().length > 0, 'the first output');
        run.closeStdout();
        const r = await run.done;
        assert.equal(r.code, 1, `${format}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /\n\s+at |internal error|EPIPE/, format);
      }
      const valid = join(dir, 'valid.ndjson');
      await writeFile(valid, `${good}\n`.repeat(20_000));
      const run = startCli(['validate', valid, '--format', 'json']);
      await waitUntil(() => run.stdout().length > 0, 'the first result');
      run.closeStdout();
      assert.equal((await run.done).code, 0, 'all valid: exit 0 though nobody read the report');
    } finally {
      await cleanup();
    }
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`${signal} while validate - waits for more input: it stops, reports what it checked and exits ${code}`, async () => {
      const envelope = await sample();
      const run = startCli(['validate', '-', '--format', 'json'], { keepStdinOpen: true });
      run.writeStdin(`${JSON.stringify(envelope)}\n${JSON.stringify(invalid(envelope))}\n`);
      await waitUntil(() => run.stdout().split('\n').filter(Boolean).length >= 2, 'both events checked');
      run.kill(signal);
      const r = await run.done;
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, new RegExp(`interrupted by ${signal}: 2 events checked \\(1 invalid\\); the rest of the input was not read`));
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
      assert.equal(summary.type, 'summary', r.stdout);
      assert.deepEqual([summary.checked, summary.invalid], [2, 1]);
    });
  }

  // A FIFO read like a file waits in a thread of node's pool, which no close frees: the process could not even exit,
  // and only SIGKILL ended it. `<(command)` names such a pipe (/dev/fd/63), without .json or .ndjson.
  for (const name of ['events.ndjson', 'events.json', 'events']) {
    test(`SIGINT while validate reads a FIFO (${name}) whose writer keeps it open: it stops, reports what it checked and exits 130`, async (t) => {
      const { dir, cleanup } = await tempDir();
      try {
        const fifo = join(dir, name);
        const writer = await fifoLeftOpen(t, fifo);
        if (writer === undefined) return;
        try {
          const run = startCli(['validate', fifo, '--format', 'json']);
          // A .json document is checked once it is read to its end, which never comes; NDJSON line by line.
          const lines = name.endsWith('.json') ? 0 : 1;
          await writer.write(`${JSON.stringify(await sample())}\n`);
          await waitUntil(() => holdsOpen(run.pid, fifo) && run.stdout().split('\n').filter(Boolean).length >= lines, 'the FIFO open and read');
          run.kill('SIGINT');
          const r = await run.done;
          assert.equal(r.code, 130, r.stderr);
          assert.match(r.stderr, new RegExp(`interrupted by SIGINT: ${lines} events? checked \\(0 invalid\\); the rest of the input was not read`));
          assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
        } finally {
          await writer.close();
        }
      } finally {
        await cleanup();
      }
    });
  }

  test('a FIFO without .json or .ndjson in its name (as `<(command)` gives) is told JSON from NDJSON as stdin is', async (t) => {
    const { dir, cleanup } = await tempDir();
    try {
      const fifo = join(dir, 'events');
      if (!makeFifo(t, fifo)) return;
      const event = JSON.stringify(await sample());
      for (const [text, checked] of [[`${event}\n${event}\n${JSON.stringify(invalid(await sample()))}\n`, 3], [JSON.stringify(await sample(), null, 2), 1]] as const) {
        const run = startCli(['validate', fifo]);
        await writeFile(fifo, text);
        const r = await run.done;
        assert.equal(r.code, checked === 3 ? 1 : 0, r.stderr + r.stdout);
        assert.match(r.stdout, new RegExp(`${checked} events? checked: ${checked === 3 ? 2 : 1} valid`));
      }
    } finally {
      await cleanup();
    }
  });

  test('validate /dev/stdin typed into a terminal: an event per line is checked as typed; Ctrl-C stops it, exit 130', { skip: hasScript ? false : 'util-linux `script` is not installed: no pseudo-terminal' }, async () => {
    // util-linux `script` gives the built bin a pseudo-terminal; what is written to it is typed.
    const quoted = [process.execPath, bin, 'validate', '/dev/stdin', '--format', 'json'].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = killAtEnd(spawn('script', ['-qfec', quoted, '/dev/null'], { cwd: root, env }));
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(`${JSON.stringify(await sample())}\r`);
    await waitUntil(() => /"status":"valid"/.test(output), 'the typed event checked');
    child.stdin.write('\x03');
    assert.equal(await exited, 130, output);
    assert.match(output, /interrupted by SIGINT: 1 event checked \(0 invalid\); the rest of the input was not read/);
  });
});
