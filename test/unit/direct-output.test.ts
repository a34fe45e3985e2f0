// processIO's direct output (src/io.ts): stdout / stderr on a pipe, a file or /dev/null written with write(2), as a
// stream to its callers (streamWriter, commander): every byte in order, a failed write fails it as it fails a stream,
// and past its first MB node's stream takes over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { directOutput, isDirectOutput } from '../../src/io.js';
import { writeOut } from '../../src/report/stream-writer.js';

/** A stand-in for node's stream, keeping what it was given. */
function collecting(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, chunks };
}

test('a file: every write reaches it in order, callbacks come after, and past 1 MB the stream takes the rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'feishu-events-direct-'));
  try {
    const file = join(dir, 'out.txt');
    const fd = openSync(file, 'w');
    const { stream, chunks } = collecting();
    let handedOver = 0;
    const out = directOutput(fd, () => {
      handedOver++;
      return stream;
    });
    assert.ok(out && isDirectOutput(out));
    assert.equal(out.isTTY, undefined);
    let called = false;
    assert.equal(out.write('héllo ', () => (called = true)), true);
    assert.equal(called, false, 'the callback comes after write returns, as a stream calls it');
    await writeOut(out, 'wörld\n');
    assert.equal(called, true);
    assert.equal(readFileSync(file, 'utf8'), 'héllo wörld\n');
    assert.equal(handedOver, 0);
    // 1.5 MB more: the first MB (all told) goes to the file, the rest to node's stream, byte for byte.
    const big = Buffer.alloc(1536 * 1024, 'abcdefghij');
    await writeOut(out, big.toString('latin1'));
    await writeOut(out, 'end\n');
    closeSync(fd);
    assert.equal(handedOver, 1);
    const inFile = readFileSync(file);
    assert.equal(inFile.length, 1 << 20);
    assert.deepEqual(Buffer.concat([inFile, ...chunks]), Buffer.concat([Buffer.from('héllo wörld\n'), big, Buffer.from('end\n')]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed write (a closed descriptor) fails it as a stream fails: the callback, then error and close; later writes fail too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'feishu-events-direct-'));
  try {
    const fd = openSync(join(dir, 'out.txt'), 'w');
    const out = directOutput(fd, () => assert.fail('a failure is not handed over'));
    assert.ok(out);
    closeSync(fd);
    const seen: string[] = [];
    out.on('error', (error: NodeJS.ErrnoException) => seen.push(`error ${error.code}`));
    out.on('close', () => seen.push('close'));
    const fits = out.write('x', (error) => seen.push(`callback ${(error as NodeJS.ErrnoException | null)?.code}`));
    assert.equal(fits, false);
    assert.equal(out.destroyed, true);
    assert.equal((out.errored as NodeJS.ErrnoException | null)?.code, 'EBADF');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ['callback EBADF', 'error EBADF', 'close']);
    await assert.rejects(writeOut(out, 'more'), { code: 'EBADF' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('/dev/null is written directly; a descriptor that is not open gets node’s stream (undefined here)', () => {
  const fd = openSync('/dev/null', 'w');
  try {
    assert.ok(isDirectOutput(directOutput(fd, () => assert.fail())));
  } finally {
    closeSync(fd);
  }
  assert.equal(directOutput(987654, () => assert.fail()), undefined);
});
