import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/flags.js';
import { MAX_TIMER_MS, parseSize } from '../../src/limits.js';

test('durations longer than a timer can wait are refused, not fired after 1 ms', () => {
  assert.equal(parseDuration(`${MAX_TIMER_MS}`), MAX_TIMER_MS);
  assert.equal(parseDuration('596h'), 596 * 3_600_000);
  for (const text of ['1000h', `${MAX_TIMER_MS + 1}`, '99999999999s']) {
    assert.throws(() => parseDuration(text), /longer than the longest supported duration \(24\.9 days, 2\^31-1 ms\)/, text);
  }
});

test('sizes: units, and limits a string can hold', () => {
  assert.equal(parseSize('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseSize('512k'), 512 * 1024);
  assert.equal(parseSize('1000'), 1000);
  assert.throws(() => parseSize('0'), /less than 1 byte/);
  assert.throws(() => parseSize('1g'), /largest supported size, 512 MiB/);
  assert.throws(() => parseSize('lots'), /not a size/);
});
