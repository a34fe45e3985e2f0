import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDeliveries, type ReplayEvent } from '../../src/delivery/deliveries.js';
import { EXACT_VALUES, LatencySketch, percentile } from '../../src/delivery/latency.js';
import { streamPlan } from '../../src/delivery/plan-stream.js';
import fc from 'fast-check';
import { prepareEnvelope, type EnvelopeV2 } from '../../src/protocol/envelope.js';
import { spliceHeader } from '../../src/protocol/header-splice.js';

function event(n: number, text = false): ReplayEvent {
  const envelope: EnvelopeV2 = {
    schema: '2.0',
    header: { event_id: `id${n}`, event_type: 'corehr.department.updated_v2', create_time: '1', token: '', app_id: 'a', tenant_key: 't' },
    event: { department_id: String(n) },
  };
  return text ? { envelope, source: `s:${n}`, text: JSON.stringify(envelope) } : { envelope, source: `s:${n}` };
}

async function* batches(events: ReplayEvent[], size: number, failAfter?: number): AsyncGenerator<ReplayEvent[]> {
  for (let i = 0; i < events.length; i += size) {
    if (failAfter !== undefined && i >= failAfter) throw new Error(`bad line ${i + 1}`);
    yield events.slice(i, i + size);
  }
}

test('latency sketch: exact nearest rank up to EXACT_VALUES, within 1% beyond, never above the largest value', () => {
  const few = new LatencySketch();
  for (const v of [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]) few.add(v);
  assert.equal(few.percentile(50), 5);
  assert.equal(few.percentile(95), 10);
  const many = new LatencySketch();
  const values = Array.from({ length: EXACT_VALUES * 3 }, (_, i) => 0.05 + ((i * 7919) % 10_007) / 100);
  for (const v of values) many.add(v);
  for (const p of [50, 95, 99]) {
    const exact = percentile(values, p);
    assert.ok(Math.abs(many.percentile(p) - exact) <= exact * 0.01, `p${p}: ${many.percentile(p)} vs ${exact}`);
  }
  assert.ok(many.percentile(100) <= Math.max(...values));
});

test('stream plan: fresh ids, text kept and the envelope made again from it identically; an input error after the events before it', async () => {
  const events = Array.from({ length: 10 }, (_, i) => event(i, true));
  const stream = streamPlan(events.slice(0, 3), batches(events.slice(3), 2, 4), { batchSize: 2, depth: 2 });
  const seen: string[] = [];
  const summary = await runDeliveries(stream, {
    concurrency: 2,
    transport: {
      async send(d) {
        const envelope = d.envelope as EnvelopeV2;
        assert.equal(envelope.header.event_id, d.eventId, 'the envelope made from the text has the planned id');
        assert.notEqual(d.eventId, `id${d.seq - 1}`);
        assert.equal(d.text, JSON.stringify(events[d.seq - 1]?.envelope));
        seen.push(d.source);
        return { ok: true, verdict: 'delivered', ms: 1, status: 200, body: '' };
      },
    },
  });
  // 3 read ahead, then batches of 2 from the rest until the error at its 5th event (the 8th in all).
  assert.deepEqual(seen.sort(), ['s:0', 's:1', 's:2', 's:3', 's:4', 's:5', 's:6'].sort());
  assert.equal(summary.delivered, 7);
  assert.equal(summary.deliveries, 7);
  assert.match(String((summary.inputError as Error).message), /bad line 5/);
});

test('stream plan: a failed check stops at that event; the events before it in its batch are still sent', async () => {
  const events = Array.from({ length: 6 }, (_, i) => event(i));
  const stream = streamPlan([], batches(events, 6), { check: (e) => { if (e.source === 's:4') throw new Error('no field'); } });
  const summary = await runDeliveries(stream, { transport: { send: async () => ({ ok: true, verdict: 'delivered', ms: 1, status: 200 }) } });
  assert.equal(summary.delivered, 4);
  assert.match(String((summary.inputError as Error).message), /no field/);
});

test('run on a stream: SIGINT while the input is still being read ends at once and says the rest was not read', async () => {
  const controller = new AbortController();
  async function* endless(): AsyncGenerator<ReplayEvent[]> {
    for (let i = 0; ; i++) {
      if (i === 2) {
        controller.abort('SIGINT');
        await new Promise(() => {}); // waits for input that never comes (stdin)
      }
      yield [event(i)];
    }
  }
  const summary = await runDeliveries(streamPlan([], endless(), { batchSize: 1, depth: 1 }), {
    signal: controller.signal,
    transport: { send: async () => ({ ok: true, verdict: 'delivered', ms: 1, status: 200 }) },
  });
  assert.equal(summary.interrupted?.signal, 'SIGINT');
  assert.equal(summary.interrupted?.unread, true);
  assert.equal(summary.delivered + summary.interrupted.unfinished, summary.deliveries);
});

test('header splice: the same event as parse + prepare, for any header and event; anything unusual is left to parsing', () => {
  const options = { eventId: 'f'.repeat(32), now: 1_700_000_000_123, verificationToken: 'tok"\\en', appId: 'cli_x' };
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), fc.integer({ min: 0, max: 2 }), (extraHeader, event, app, indent) => {
      const header = { ...extraHeader, event_id: 'old', create_time: '1', token: 't', ...(app ? { app_id: 'a' } : {}) };
      const envelope = { schema: '2.0', header, event };
      const text = JSON.stringify(envelope, null, indent);
      const values: Record<string, string> = { event_id: options.eventId, create_time: String(options.now), token: options.verificationToken, ...(app ? { app_id: options.appId } : {}) };
      const spliced = spliceHeader(text, values);
      const expected = prepareEnvelope(JSON.parse(text) as EnvelopeV2, { eventId: options.eventId, now: options.now, verificationToken: options.verificationToken, ...(app ? { appId: options.appId } : {}) });
      if (spliced === undefined) return; // left to parsing: always correct
      assert.deepEqual(JSON.parse(spliced), expected);
    }),
    { numRuns: 300 },
  );
  const plain = JSON.stringify({ schema: '2.0', header: { event_id: 'a', create_time: '1' }, event: { header: { event_id: 'inner' } } });
  assert.deepEqual(JSON.parse(spliceHeader(plain, { event_id: 'b' }) as string), { schema: '2.0', header: { event_id: 'b', create_time: '1' }, event: { header: { event_id: 'inner' } } });
  assert.equal(spliceHeader(plain, { token: 'x' }), undefined, 'a field the header lacks: parse');
  assert.equal(spliceHeader('{"schema":"2.0","header":{"event_id":"a","event_id":"b"}}', { event_id: 'c' }), undefined, 'a key written twice: parse');
  assert.equal(spliceHeader('{"uuid":"a","event":{}}', { event_id: 'c' }), undefined, 'a 1.0 envelope: parse');
  assert.equal(spliceHeader('{"schema":"2.0","header":{"event_id":1}}', { event_id: 'c' }), undefined, 'not a string: parse');
});
