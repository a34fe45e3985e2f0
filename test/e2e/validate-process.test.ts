// validate as a process in a pipeline: a reader that goes away (`validate … | head -1`) and SIGINT / SIGTERM. The
// exit code says what was observed: the events are checked to the end whoever reads the report, and a stop says
// how far it got.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { root, startCli, tempDir } from '../helpers/cli.js';
import { waitUntil } from '../helpers/gateway.js';

const sample = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json'), 'utf8')) as Record<string, unknown>;
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
});
