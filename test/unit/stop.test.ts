import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStop } from '../../src/stop.js';

describe('the stop a signal gives a command (src/stop.ts)', () => {
  it('tells its listeners once, with the reason; a listener removed or added after the stop is not called', () => {
    const stop = createStop();
    const heard: string[] = [];
    stop.signal.onAbort(() => heard.push('a'));
    const removeB = stop.signal.onAbort(() => heard.push('b'));
    removeB();
    assert.equal(stop.signal.aborted, false);
    assert.equal(stop.signal.reason, undefined);
    stop.abort('SIGINT');
    stop.abort('SIGTERM');
    stop.signal.onAbort(() => heard.push('late'));
    assert.deepEqual(heard, ['a']);
    assert.equal(stop.signal.aborted, true);
    assert.equal(stop.signal.reason, 'SIGINT');
  });

  it('its AbortSignal, asked for before or after the stop, is aborted with the same reason, and is one signal', () => {
    const before = createStop();
    const signal = before.abortSignal();
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    assert.equal(signal.aborted, false);
    before.abort('SIGTERM');
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, 'SIGTERM');
    assert.equal(fired, 1);
    assert.equal(before.abortSignal(), signal);

    const after = createStop();
    after.abort('SIGINT');
    assert.equal(after.abortSignal().aborted, true);
    assert.equal(after.abortSignal().reason, 'SIGINT');
  });
});
