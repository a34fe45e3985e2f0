// The one writer to stdout: writes gathered, nothing handed to a full stream before 'drain', errors reach the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { streamWriter, writeOut } from '../../src/report/stream-writer.js';

/** A stream of capacity 4 bytes whose writes complete only when `release()` is called: a reader that is not reading. */
function slowStream(): { stream: Writable; chunks: string[]; release(): void } {
  const chunks: string[] = [];
  const held: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      held.push(callback);
    },
  });
  return { stream, chunks, release: () => held.splice(0).forEach((callback) => callback()) };
}

test('small writes reach the stream together, and nothing more is handed over while it is full', async () => {
  const { stream, chunks, release } = slowStream();
  const out = streamWriter(stream);
  void out.write('one\n');
  let room = false;
  const first = out.write('two\n').then(() => (room = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(chunks, ['one\ntwo\n'], 'one write for one turn of the event loop');
  void out.write('three\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(chunks, ['one\ntwo\n'], 'the full stream was given nothing more');
  assert.equal(room, false, 'write waits for drain');
  let ready = false;
  const waiting = out.ready().then(() => (ready = true));
  assert.equal(ready, false);
  release();
  await first;
  await waiting;
  assert.equal(room && ready, true);
  const flushed = out.flush();
  await new Promise((resolve) => setImmediate(resolve));
  release();
  release();
  await flushed;
  assert.equal(chunks.join(''), 'one\ntwo\nthree\n', 'everything, once, in order');
  out.dispose();
});

test('a failed stream: write and writeOut reject with its error; flush does not', async () => {
  const broken = new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  broken.on('error', () => {});
  await assert.rejects(writeOut(broken, 'x\n'), /EPIPE/);
  const out = streamWriter(broken);
  await assert.rejects(out.write('y\n'), /EPIPE/);
  await out.flush();
  out.dispose();
});

test('gatherMs: writes of several turns of the event loop reach the stream as one', async () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const out = streamWriter(stream, undefined, 60_000);
  void out.write('one\n');
  await new Promise((resolve) => setImmediate(resolve));
  const second = out.write('two\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(chunks, [], 'still gathering');
  await out.flush();
  assert.deepEqual(chunks.filter(Boolean), ['one\ntwo\n'], 'flush ends the wait');
  await second;
  out.dispose();
});
