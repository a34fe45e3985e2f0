import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseRetrySchedule, percentile, PLATFORM_RETRY_SCHEDULE_MS } from '../../src/delivery/schedule.js';
import { planDeliveries, runDeliveries, type AttemptReport, type PlannedDelivery, type ReplayEvent } from '../../src/delivery/replay.js';
import type { EnvelopeV2 } from '../../src/protocol/envelope.js';

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
          if (n <= 2) return { ok: false, ms: 1, status: 500, error: 'HTTP 500' };
        }
        return { ok: true, ms: 2, status: 200, body: 'ok' };
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
    transport: { send: async () => ({ ok: false, ms: 1, error: 'connection refused' }) },
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
          return { ok: true, ms: 5, status: 200, body: '' };
        },
      },
    });
    assert.equal(maxInFlight, concurrency);
    if (concurrency === 1) assert.deepEqual(seen, plan.map((d) => d.eventId));
  }
});

test('run: empty 200 answers are counted (the node SDK answers so when the signature check fails)', async () => {
  const summary = await runDeliveries(planDeliveries([event(1), event(2)]), {
    transport: { send: async (d) => ({ ok: true, ms: 1, status: 200, body: d.seq === 1 ? '' : '"success"' }) },
  });
  assert.equal(summary.emptyAnswers, 1);
});
