import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetrySchedule, PLATFORM_RETRY_SCHEDULE_MS } from '../../src/delivery/retry-schedule.js';
import { percentile, planDeliveries, runDeliveries, type AttemptReport, type PlannedDelivery, type ReplayEvent } from '../../src/delivery/deliveries.js';
import { parseDuration } from '../../src/flags.js';
import { formatDuration } from '../../src/report/format.js';
import type { EnvelopeV2 } from '../../src/protocol/envelope.js';
import { judgeHttp, markOf, readEvidence } from '../../src/delivery/verdict.js';

function event(n: number): ReplayEvent {
  const envelope: EnvelopeV2 = {
    schema: '2.0',
    header: { event_id: `id${n}`, event_type: 'corehr.department.updated_v2', create_time: '1', token: '', app_id: 'a', tenant_key: 't' },
    event: { department_id: String(n) },
  };
  return { envelope, source: `s${n}` };
}

test('durations and retry schedules', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('250'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.throws(() => parseDuration('soon'), SyntaxError);
  assert.deepEqual(parseRetrySchedule('none'), []);
  assert.deepEqual(parseRetrySchedule('platform'), [15_000, 300_000, 3_600_000, 21_600_000]);
  assert.deepEqual(parseRetrySchedule('platform'), [...PLATFORM_RETRY_SCHEDULE_MS]);
  assert.deepEqual(parseRetrySchedule('1s,2s,5s'), [1000, 2000, 5000]);
  assert.throws(() => parseRetrySchedule('1s,,2s'), SyntaxError);
  assert.equal(formatDuration(15_000), '15s');
  assert.equal(formatDuration(300_000), '5m');
  assert.equal(formatDuration(21_600_000), '6h');
});

test('percentile is nearest-rank', () => {
  assert.equal(percentile([], 50), 0);
  assert.equal(percentile([5], 95), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 95), 10);
});

test('plan: fresh ids per event, duplicates share them and come after every first push', () => {
  const plan = planDeliveries([event(1), event(2)], { duplicate: 2 });
  assert.equal(plan.length, 6);
  assert.deepEqual(plan.map((d) => d.copy), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(plan.map((d) => d.seq), [1, 2, 3, 4, 5, 6]);
  const [a, b] = [plan[0] as PlannedDelivery, plan[1] as PlannedDelivery];
  assert.notEqual(a.eventId, 'id1');
  assert.notEqual(a.eventId, b.eventId);
  assert.equal(plan[2]?.eventId, a.eventId);
  assert.equal(plan[4]?.eventId, a.eventId);
  assert.equal(plan[5]?.eventId, b.eventId);
});

test('plan: shuffle reorders with the given random source and keeps every delivery', () => {
  const events = Array.from({ length: 10 }, (_, i) => event(i));
  let seed = 7;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const plan = planDeliveries(events, { shuffle: true, random, prepare: { keepIds: true } });
  const ids = plan.map((d) => d.eventId);
  assert.deepEqual([...ids].sort(), events.map((e) => (e.envelope as EnvelopeV2).header.event_id).sort());
  assert.notDeepEqual(ids, events.map((e) => (e.envelope as EnvelopeV2).header.event_id));
});

test('run: a failed delivery is retried on schedule with the same event_id, without holding up the rest', async () => {
  const plan = planDeliveries([event(1), event(2)]);
  const failFirstTwice = new Map<string, number>();
  const order: string[] = [];
  const sleeps: number[] = [];
  const reports: AttemptReport[] = [];
  const summary = await runDeliveries(plan, {
    retrySchedule: [10, 20, 30],
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onAttempt: (r) => reports.push(r),
    transport: {
      async send(d, attempt) {
        order.push(`${d.eventId}#${attempt}`);
        if (d.eventId === plan[0]?.eventId) {
          const n = (failFirstTwice.get(d.eventId) ?? 0) + 1;
          failFirstTwice.set(d.eventId, n);
          if (n <= 2) return { ok: false, verdict: 'wrong-status', ms: 1, status: 500, error: 'HTTP 500' };
        }
        return { ok: true, verdict: 'delivered', ms: 2, status: 200, body: 'ok' };
      },
    },
  });
  assert.deepEqual(sleeps, [10, 20]);
  assert.equal(summary.delivered, 2);
  assert.equal(summary.failed, 0);
  assert.equal(summary.attempts, 4);
  assert.equal(summary.retried, 1);
  const first = plan[0]?.eventId as string;
  assert.equal(order[0], `${first}#1`);
  assert.equal(order[1], `${plan[1]?.eventId}#1`, 'the second event is not held up by the first one\'s retries');
  assert.deepEqual(order.filter((o) => o.startsWith(first)), [`${first}#1`, `${first}#2`, `${first}#3`]);
  assert.equal(reports[0]?.retryInMs, 10);
  assert.equal(reports.at(-1)?.ok, true);
});

test('run: gives up after the schedule and counts the failure', async () => {
  const plan = planDeliveries([event(1)]);
  const summary = await runDeliveries(plan, {
    retrySchedule: [1, 1],
    sleep: async () => {},
    transport: { send: async () => ({ ok: false, verdict: 'refused', ms: 1, error: 'connection refused' }) },
  });
  assert.equal(summary.failed, 1);
  assert.equal(summary.delivered, 0);
  assert.equal(summary.attempts, 3);
});

test('run: never more than `concurrency` attempts in flight; 1 keeps the order', async () => {
  for (const concurrency of [1, 3]) {
    const plan = planDeliveries(Array.from({ length: 9 }, (_, i) => event(i)), { prepare: { keepIds: true } });
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    await runDeliveries(plan, {
      concurrency,
      transport: {
        async send(d) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          seen.push(d.eventId);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return { ok: true, verdict: 'delivered', ms: 5, status: 200, body: '' };
        },
      },
    });
    assert.equal(maxInFlight, concurrency);
    if (concurrency === 1) assert.deepEqual(seen, plan.map((d) => d.eventId));
  }
});

test('run: answers equal to the control\'s are ⚠ (read unknown); different ones are read', async () => {
  const reports: AttemptReport[] = [];
  const summary = await runDeliveries(planDeliveries([event(1), event(2), event(3)]), {
    control: { status: 200, body: '' },
    onAttempt: (r) => reports.push(r),
    transport: { send: async (d) => ({ ok: true, verdict: 'delivered', ms: 1, status: 200, body: d.seq === 1 ? '' : '"success"' }) },
  });
  assert.equal(summary.unknownRead, 1);
  assert.deepEqual(reports.map((r) => r.read), ['unknown', 'distinct', 'distinct']);
  assert.deepEqual(reports.map((r) => markOf(r.verdict, r.read)), ['warn', 'ok', 'ok']);
});

test('run: fail fast — a refused first attempt stops the run without retries; with retries it goes on', async () => {
  const refused = { send: async () => ({ ok: false, verdict: 'refused' as const, ms: 1, error: 'connection refused' }) };
  const reports: AttemptReport[] = [];
  const stopped = await runDeliveries(planDeliveries([event(1), event(2), event(3)]), { failFast: true, transport: refused, onAttempt: (r) => reports.push(r) });
  assert.equal(stopped.stopped?.verdict, 'refused');
  assert.equal(stopped.attempts, 1);
  assert.equal(reports.length, 0, 'nothing reported row by row');
  const going = await runDeliveries(planDeliveries([event(1), event(2)]), { failFast: true, retrySchedule: [1], sleep: async () => {}, transport: refused });
  assert.equal(going.stopped, undefined);
  assert.equal(going.attempts, 4);
  assert.deepEqual(going.verdicts, { refused: 2 });
});

test('verdicts: judged from what came back, each with its own hint', () => {
  const url = new URL('http://127.0.0.1:9/webhook/event');
  const base = { url, purpose: 'event' as const, deadlineMs: 3000 };
  assert.equal(judgeHttp({ ...base, status: 200, ms: 12 }).kind, 'delivered');
  const late = judgeHttp({ ...base, status: 200, ms: 3326 });
  assert.equal(late.kind, 'late');
  assert.match(late.reason ?? '', /answered 200 after 3326 ms, past the 3000 ms deadline/);
  assert.doesNotMatch(late.hint ?? '', /path/);
  const noContent = judgeHttp({ ...base, status: 204, ms: 3 });
  assert.equal(noContent.kind, 'wrong-status');
  assert.match(noContent.hint ?? '', /the platform expects HTTP 200/);
  assert.match(judgeHttp({ ...base, status: 404, ms: 3 }).hint ?? '', /check the path/);
  assert.match(judgeHttp({ ...base, status: 500, ms: 3, body: 'handler error: bad decrypt', encrypted: true }).hint ?? '', /--encrypt-key is the app's Encrypt Key/);
  assert.equal(judgeHttp({ ...base, ms: 3000, timedOut: true }).kind, 'no-answer');
  assert.equal(judgeHttp({ ...base, ms: 1, errorCode: 'ECONNREFUSED' }).kind, 'refused');
  assert.equal(judgeHttp({ ...base, ms: 1, errorCode: 'ECONNRESET' }).kind, 'reset');
  assert.equal(judgeHttp({ ...base, ms: 1, errorCode: 'ENOTFOUND' }).kind, 'dns');
  const challengeLate = judgeHttp({ ...base, purpose: 'challenge', deadlineMs: 1000, status: 200, ms: 1300 });
  assert.match(challengeLate.hint ?? '', /1 s to echo the challenge/);
  assert.doesNotMatch(challengeLate.hint ?? '', /pushes the event again/);
  assert.equal(readEvidence({ status: 200, body: '' }, { status: 200, body: '' }), 'unknown');
  assert.equal(readEvidence({ status: 200, body: '"ok"' }, { status: 200, body: '' }), 'distinct');
  assert.equal(readEvidence({ status: 200, body: '' }, undefined), 'unchecked');
});
