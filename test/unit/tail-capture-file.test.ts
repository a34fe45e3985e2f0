// tail --save's file: a line is on disk whole and synced, or not at all — whatever the writes do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openCaptureFile, SaveError, type CaptureHandle } from '../../src/tail/capture-file.js';
import { isUserError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

type Step = 'ok' | 'short' | 'zero' | 'enospc';

/** A real file handle whose writes follow a script: short (half of what was asked), zero bytes, or ENOSPC. */
async function scriptedHandle(path: string, script: Step[], failSync = false): Promise<CaptureHandle> {
  const real = await open(path, 'a');
  return {
    async write(buffer, offset, length) {
      const step = script.shift() ?? 'ok';
      if (step === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      if (step === 'zero') return { bytesWritten: 0 };
      const n = step === 'short' ? Math.max(1, Math.floor(length / 2)) : length;
      return real.write(buffer, offset, n);
    },
    datasync: async () => {
      if (failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      return real.datasync();
    },
    truncate: (length) => real.truncate(length),
    stat: () => real.stat(),
    close: () => real.close(),
  };
}

test('a short write followed by a full disk leaves only whole lines, and the failure says why', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, '{"before":true}\n');
    const script: Step[] = ['ok', 'short', 'enospc', 'short', 'zero', 'short', 'ok'];
    const file = await openCaptureFile(path, (p) => scriptedHandle(p, script));
    await file.append('{"n":1}');
    // Half of line 2 reaches the disk, then the disk is full: the half line must go.
    const failed = await file.append(`{"n":2,"pad":"${'x'.repeat(100)}"}`).then(() => undefined, (error: unknown) => error);
    assert.ok(failed instanceof SaveError);
    assert.equal(failed.code, 'ENOSPC');
    assert.match(failed.message, /^cannot save to .*events\.ndjson: the disk is full \(ENOSPC\)$/);
    assert.equal(await readFile(path, 'utf8'), '{"before":true}\n{"n":1}\n');
    // A write that makes no progress is a failure too, not an endless loop.
    await assert.rejects(file.append('{"n":3}'), /the disk is full \(ENOSPC\)/);
    assert.equal(await readFile(path, 'utf8'), '{"before":true}\n{"n":1}\n');
    // A short write that the next write completes is fine.
    await file.append('{"n":4}');
    await file.close();
    assert.equal(await readFile(path, 'utf8'), '{"before":true}\n{"n":1}\n{"n":4}\n');
  } finally {
    await cleanup();
  }
});

test('a failed sync removes the line too; concurrent appends stay whole lines in order', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, 'events.ndjson');
    const broken = await openCaptureFile(path, (p) => scriptedHandle(p, [], true));
    await assert.rejects(broken.append('{"n":1}'), /an I\/O error \(EIO\)/);
    await broken.close();
    assert.equal(await readFile(path, 'utf8'), '');
    const file = await openCaptureFile(path, (p) => scriptedHandle(p, ['short', 'ok', 'short', 'enospc', 'short', 'ok']));
    const results = await Promise.allSettled([file.append('{"a":1}'), file.append('{"b":2}'), file.append('{"c":3}')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    await file.close();
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"c":3}\n');
  } finally {
    await cleanup();
  }
});

test('a place that cannot be written is a one-line usage error', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const [path, reason] of [
      [dir, /it is a directory \(EISDIR\)/],
      [join(dir, 'missing', 'events.ndjson'), /its directory does not exist \(ENOENT\)/],
    ] as const) {
      const error = await openCaptureFile(path).then(() => undefined, (e: unknown) => e);
      assert.ok(isUserError(error), String(error));
      assert.equal(error.exitCode, 2);
      assert.match(error.message, reason);
      assert.doesNotMatch(error.message, /\n/);
    }
  } finally {
    await cleanup();
  }
});
