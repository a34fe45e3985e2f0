import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InputRecord } from '../../src/sources/records.js';
import { NdjsonLineReader } from '../../src/sources/ndjson-lines.js';

function readAll(bytes: Buffer, split: (length: number) => number[]): InputRecord[] {
  const records: InputRecord[] = [];
  const reader = new NdjsonLineReader('x.ndjson', {
    value: (value, text, line, index) => records.push({ kind: 'value', source: 'x.ndjson', index, line, value, text, pointer: '' }),
    malformed: (record) => records.push(record),
  });
  let start = 0;
  for (const end of [...split(bytes.length), bytes.length]) {
    reader.push(bytes.subarray(start, end));
    start = end;
  }
  reader.end();
  return records;
}

const input = Buffer.from(
  '\ufeff{"n":1,"s":"新入职"}\r\n' + // BOM, CRLF, multi-byte characters
    '\n' + // blank line: skipped but counted
    '   \n' + // whitespace only: skipped
    '{"n": 2, broken\n' + // malformed
    '{"n":3,"e":"😀"}\n' +
    '{"n":4}', // no final newline
  'utf8',
);

function expectRecords(records: InputRecord[]): void {
  assert.equal(records.length, 4);
  const [first, second, third, fourth] = records;
  assert.equal(first?.kind, 'value');
  if (first?.kind === 'value') {
    assert.deepEqual(first.value, { n: 1, s: '新入职' });
    assert.equal(first.text, '{"n":1,"s":"新入职"}');
    assert.equal(first.line, 1);
  }
  assert.equal(second?.kind, 'malformed');
  if (second?.kind === 'malformed') {
    assert.equal(second.line, 4);
    assert.equal(second.index, 1);
    assert.match(second.message, /^invalid JSON/);
    assert.equal(second.column, 10);
  }
  assert.equal(third?.kind === 'value' && third.line, 5);
  assert.deepEqual(third?.kind === 'value' && third.value, { n: 3, e: '😀' });
  assert.equal(fourth?.kind === 'value' && fourth.line, 6);
  assert.deepEqual(records.map((r) => r.index), [0, 1, 2, 3]);
}

describe('NdjsonLineReader', () => {
  it('reads lines, counting blank ones, tolerating a BOM and CRLF, reporting malformed lines', () => {
    expectRecords(readAll(input, () => []));
  });

  it('gives the same records whatever the chunk boundaries, even inside a multi-byte character', () => {
    expectRecords(readAll(input, (length) => Array.from({ length: length - 1 }, (_, i) => i + 1)));
    for (let cut = 1; cut < input.length; cut++) expectRecords(readAll(input, () => [cut]));
  });

  it('reads nothing from an empty input', () => {
    assert.deepEqual(readAll(Buffer.alloc(0), () => []), []);
  });

  it('keeps its own copy of a line that continues in the next chunk (the caller may fill the same Buffer again)', () => {
    for (let size = 1; size <= 16; size++) {
      const records: InputRecord[] = [];
      const reader = new NdjsonLineReader('x.ndjson', {
        value: (value, text, line, index) => records.push({ kind: 'value', source: 'x.ndjson', index, line, value, text, pointer: '' }),
        malformed: (record) => records.push(record),
      });
      const reused = Buffer.alloc(size);
      for (let start = 0; start < input.length; start += size) {
        const length = input.copy(reused, 0, start, Math.min(start + size, input.length));
        reader.push(reused.subarray(0, length));
        reused.fill(0x7b); // what a reader filling the Buffer with the next chunk would leave there
      }
      reader.end();
      expectRecords(records);
    }
  });
});
