import type { Envelope, PrepareOptions } from '../protocol/envelope.js';
import { eventIdOf, eventTypeOf, prepareEnvelope } from '../protocol/envelope.js';
import type { HttpDelivery } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { CallbackAnswer, ClientError } from './callback-answer.js';
import { LatencySketch } from './latency.js';
import { readEvidence, type ReadEvidence, type VerdictKind } from './verdict.js';

export { percentile } from './latency.js';

/** An event to replay and where it came from. */
export interface ReplayEvent {
  envelope: Envelope;
  /** `samples/<type>/<name>.json`, `file.ndjson:12`, `<stdin>:3`… */
  source: string;
  /** The event's text as read (an NDJSON line, a whole document), when there is one: encoded without re-serialising. */
  text?: string;
}

/** One logical delivery: an event (or one of its duplicates) with its final envelope. */
export interface PlannedDelivery {
  /** 1-based position in the plan. */
  seq: number;
  envelope: Envelope;
  eventType: string;
  eventId: string;
  source: string;
  /** 0 for the event itself, 1…n for the duplicates sent with the same event_id. */
  copy: number;
  /** The event's text as read, before it was prepared, and the clock it was prepared with (see ReplayEvent.text). */
  readonly text?: string | undefined;
  readonly preparedAt?: number | undefined;
  /** Whether it is a legacy card action (sent plaintext, signed with the token), when known without the envelope. */
  readonly legacy?: boolean;
  /** The first push, encrypted and signed ahead of time; taken when it is sent. */
  prebuilt?: HttpDelivery | undefined;
}

export interface PlanOptions {
  prepare?: PrepareOptions;
  /** Extra deliveries of every event with the same event_id. */
  duplicate?: number;
  shuffle?: boolean;
  random?: () => number;
}

/**
 * Prepare every event once (fresh ids unless kept, token, overrides) and lay out the deliveries: the events in
 * order, then each round of duplicates, as the platform's re-pushes arrive after the first push. `shuffle`
 * mixes everything, duplicates included.
 */
export function planDeliveries(events: readonly ReplayEvent[], options: PlanOptions = {}): PlannedDelivery[] {
  const prepare = { random: pooledRandom(), ...options.prepare };
  const prepared = events.map((event) => {
    const envelope = prepareEnvelope(event.envelope, prepare);
    return {
      envelope,
      source: event.source,
      eventType: eventTypeOf(envelope) ?? '(unknown type)',
      eventId: eventIdOf(envelope) ?? '(no id)',
    };
  });
  const plan: Omit<PlannedDelivery, 'seq'>[] = [];
  const rounds = 1 + Math.max(0, options.duplicate ?? 0);
  for (let copy = 0; copy < rounds; copy++) for (const item of prepared) plan.push({ ...item, copy });
  if (options.shuffle) shuffleInPlace(plan, options.random ?? Math.random);
  return plan.map((item, i) => ({ ...item, seq: i + 1 }));
}

export function shuffleInPlace<T>(items: T[], random: () => number = Math.random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** What a transport says about one attempt. */
export interface AttemptOutcome {
  /** True exactly when `verdict` is `delivered`. */
  ok: boolean;
  verdict: VerdictKind;
  ms: number;
  /** The deadline the attempt was judged against. */
  deadlineMs?: number;
  /** When our own timer judged the attempt failed, in ms after sending (a late or missing answer). */
  judgedAtMs?: number;
  status?: number;
  body?: string;
  error?: string;
  hint?: string;
  /** Something worth knowing even though the attempt succeeded. */
  note?: string;
  /** Transport-specific facts (which gateway client took the event, the ack code…). */
  details?: Record<string, unknown>;
  /** For a callback: its answer, read and checked (what the user would see). */
  answer?: CallbackAnswer;
  /** For a failed callback: the error the Feishu client shows, as reported. */
  clientError?: ClientError;
}

export interface Transport {
  send(delivery: PlannedDelivery, attempt: number): Promise<AttemptOutcome>;
  /** Work on a batch of first pushes ahead of sending them (encrypting and signing in a worker); never rejects. */
  encode?(batch: readonly PlannedDelivery[]): Promise<void>;
  /** `force`: the run was interrupted; requests still open are cut rather than waited for. */
  close?(options?: { force?: boolean }): Promise<void>;
}

export interface AttemptReport extends AttemptOutcome {
  delivery: PlannedDelivery;
  /** For a delivered attempt: whether its answer shows the app read it (compared with the control delivery). */
  read: ReadEvidence;
  /** 1-based; 2 and up are retries with the same event_id. */
  attempt: number;
  /** When a failed attempt will be retried, in how many ms; undefined when this attempt is the last. */
  retryInMs?: number;
}

export interface ReplaySummary {
  /** Distinct events (a streamed input: events read, each counted once whatever its id). */
  events: number;
  /** Planned deliveries (events × (1 + duplicates)); of a streamed input, those read. */
  deliveries: number;
  /** Deliveries whose last attempt succeeded. */
  delivered: number;
  /** Deliveries that never succeeded. */
  failed: number;
  attempts: number;
  /** Deliveries that needed more than one attempt. */
  retried: number;
  /** Delivered, but answered exactly like the control delivery: whether the app read them is unknown (⚠). */
  unknownRead: number;
  /** The verdict of each delivery's last attempt, counted. */
  verdicts: Partial<Record<VerdictKind, number>>;
  /** The first failed deliveries (at most MAX_FAILURES_KEPT), for a report that names them after the run. */
  failures: FailureNote[];
  /** Set when the run stopped at its first attempt because nothing listens there. */
  stopped?: AttemptReport;
  /**
   * Set when the run was interrupted (SIGINT, SIGTERM): no new attempt was started after that, the ones in flight
   * were waited for briefly. `signal` is the abort reason when it is a signal name; `unfinished` the deliveries
   * with no final outcome (never sent, waiting for a retry, or still in flight when the wait ended); `unread` when
   * the rest of a streamed input was not read (its deliveries are not counted in `unfinished`).
   */
  interrupted?: { signal?: string; unfinished: number; abandoned: number; unread?: boolean };
  /** Set when reading the input failed part-way (a line that is not an event): nothing after it was sent. */
  inputError?: unknown;
  p50Ms: number;
  p95Ms: number;
  elapsedMs: number;
}

/** A failed delivery, as the summary keeps it. */
export interface FailureNote {
  seq: number;
  eventType: string;
  eventId: string;
  source: string;
  verdict: VerdictKind;
  error?: string;
}

/** The summary keeps this many failed deliveries by name; the rest are counted. */
export const MAX_FAILURES_KEPT = 20;

/**
 * Deliveries as they are read, a batch at a time, so that a large input is never in memory whole (see plan-stream.ts).
 * `next()` rejects with the input's error when reading fails part-way.
 */
export interface DeliveryStream {
  next(): Promise<PlannedDelivery[] | undefined>;
  /** Events and deliveries read so far; `done` once the input was read to its end. */
  counts(): { events: number; deliveries: number; done: boolean };
}

/** A plan laid out in memory, as a stream of one batch. */
function arrayStream(plan: readonly PlannedDelivery[]): DeliveryStream {
  let given = false;
  let events: number | undefined;
  return {
    next: () => {
      const batch = given ? undefined : (plan as PlannedDelivery[]);
      given = true;
      return Promise.resolve(batch);
    },
    counts: () => ({ events: (events ??= new Set(plan.map((d) => d.eventId)).size), deliveries: plan.length, done: true }),
  };
}

export function emptySummary(plan: readonly PlannedDelivery[] | { events: number; deliveries: number }, elapsedMs = 0): ReplaySummary {
  const counts = Array.isArray(plan) ? { events: new Set(plan.map((d) => d.eventId)).size, deliveries: plan.length } : (plan as { events: number; deliveries: number });
  return {
    events: counts.events,
    deliveries: counts.deliveries,
    delivered: 0,
    failed: 0,
    attempts: 0,
    retried: 0,
    unknownRead: 0,
    verdicts: {},
    failures: [],
    p50Ms: 0,
    p95Ms: 0,
    elapsedMs,
  };
}

export interface RunOptions {
  transport: Transport;
  concurrency?: number;
  /** Delays before each retry of a failed delivery (the platform's: 15s, 5m, 1h, 6h). */
  retrySchedule?: readonly number[];
  /** Told of every attempt; the next one waits for what it returns (e.g. a full stdout to drain). */
  onAttempt?: (report: AttemptReport) => unknown;
  /** Timer, for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** The answer to the control delivery: delivered answers that equal it are ⚠ (read: unknown). */
  control?: { status?: number; body?: string };
  /** Stop after the first attempt when it is refused (nothing listens): one error instead of one per delivery. */
  failFast?: boolean;
  /** Stop starting attempts when this aborts (SIGINT, SIGTERM); the summary says what was left unfinished. */
  signal?: AbortSignal;
  /** After an abort, how long attempts in flight are waited for before the run ends without them (default 2 s). */
  drainMs?: number;
}

/** How long, after an interruption, deliveries in flight get to finish: long enough for a local app, short for a person. */
export const DEFAULT_DRAIN_MS = 2000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const NO_DELIVERIES: readonly PlannedDelivery[] = [];

/**
 * Deliver the plan with at most `concurrency` attempts in flight, in plan order. A failed attempt is retried
 * after the next delay of the schedule without holding up the rest, as the platform does (a due retry goes out
 * after the batch of deliveries being sent). The plan is an array, or a stream read a batch at a time: nothing is
 * kept per delivery once it is done but counts, a latency sketch and the first few failures.
 */
export async function runDeliveries(plan: readonly PlannedDelivery[] | DeliveryStream, options: RunOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const stream = Array.isArray(plan) ? arrayStream(plan) : (plan as DeliveryStream);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const schedule = options.retrySchedule ?? [];
  const sleep = options.sleep ?? defaultSleep;
  const latencies = new LatencySketch();
  let delivered = 0;
  let failed = 0;
  let attempts = 0;
  let retried = 0;
  let unknownRead = 0;
  let stopped: AttemptReport | undefined;
  const verdicts: Partial<Record<VerdictKind, number>> = {};
  const failures: FailureNote[] = [];
  const transport = options.transport;
  const onAttempt = options.onAttempt;
  const control = options.control;

  // The batch being sent, read with a moving head; the next one is asked for as soon as this one is taken.
  let batch: readonly PlannedDelivery[] = NO_DELIVERIES;
  let batchHead = 0;
  const ask = (): Promise<PlannedDelivery[] | undefined> => {
    const next = stream.next();
    next.catch(() => {}); // read when its turn comes; an input error then ends the run
    return next;
  };
  let upcoming = ask();
  let exhausted = false;
  let inputError: unknown;
  let refilling: Promise<void> | undefined;
  const refill = (): Promise<void> =>
    (refilling ??= (async () => {
      try {
        const next = await upcoming;
        if (next === undefined) exhausted = true;
        else {
          batch = next;
          batchHead = 0;
          upcoming = ask();
        }
      } catch (error) {
        inputError = error;
        exhausted = true;
      } finally {
        refilling = undefined;
      }
    })());

  type Task = { delivery: PlannedDelivery; attempt: number };
  // Retries due, read with a moving head (shift() on a long array is O(n) per call).
  let retries: Task[] = [];
  let retryHead = 0;
  let pendingRetries = 0;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const signal = options.signal;
  const interrupted = (): boolean => signal?.aborted === true;
  let inFlight = 0;
  /** Set once the summary is taken: an attempt that ends later changes nothing. */
  let finished = false;
  let drainedNow: (() => void) | undefined;

  const runTask = async (delivery: PlannedDelivery, attempt: number): Promise<void> => {
    inFlight++;
    let outcome: AttemptOutcome;
    try {
      outcome = await transport.send(delivery, attempt);
    } finally {
      inFlight--;
      if (inFlight === 0 && interrupted()) drainedNow?.();
    }
    if (stopped || finished) return;
    attempts++;
    const ok = outcome.ok;
    const read: ReadEvidence = ok ? readEvidence(outcome, control) : 'unchecked';
    if (ok) latencies.add(outcome.ms);
    const retryDelay = ok ? undefined : schedule[attempt - 1];
    // The outcome is the transport's own object, made for this attempt: it becomes the report.
    const report = outcome as AttemptReport;
    report.delivery = delivery;
    report.attempt = attempt;
    report.read = read;
    if (retryDelay !== undefined) report.retryInMs = retryDelay;
    if (options.failFast && attempts === 1 && outcome.verdict === 'refused' && retryDelay === undefined) {
      stopped = report;
      const planned = stream.counts().deliveries;
      failed = planned;
      verdicts.refused = planned;
      return;
    }
    const told = onAttempt?.(report);
    if (ok || retryDelay === undefined) verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
    if (ok) {
      delivered++;
      if (read === 'unknown') unknownRead++;
      if (attempt > 1) retried++;
    } else if (retryDelay !== undefined && !interrupted()) {
      pendingRetries++;
      void sleep(retryDelay).then(() => {
        pendingRetries--;
        retries.push({ delivery, attempt: attempt + 1 });
        notify();
      });
    } else {
      failed++;
      if (attempt > 1) retried++;
      if (failures.length < MAX_FAILURES_KEPT) {
        failures.push({ seq: delivery.seq, eventType: delivery.eventType, eventId: delivery.eventId, source: delivery.source, verdict: outcome.verdict, ...(outcome.error !== undefined ? { error: outcome.error } : {}) });
      }
    }
    if (told instanceof Promise) await told;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped || interrupted() || inputError !== undefined) return;
      if (batchHead < batch.length) {
        const delivery = batch[batchHead++] as PlannedDelivery;
        await runTask(delivery, 1);
        continue;
      }
      if (retryHead < retries.length) {
        const task = retries[retryHead++] as Task;
        if (retryHead === retries.length) {
          retries = [];
          retryHead = 0;
        }
        await runTask(task.delivery, task.attempt);
        continue;
      }
      if (!exhausted) {
        await refill();
        continue;
      }
      if (pendingRetries === 0) return;
      await new Promise<void>((resolve) => {
        const previous = wake;
        wake = () => {
          previous?.();
          resolve();
        };
      });
    }
  };

  // An interruption wakes workers waiting for a retry (they then stop) and bounds the wait for attempts in flight;
  // with none in flight (waiting for input, or for a retry) the run ends at once.
  let drainTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const drained = new Promise<void>((resolve) => {
    drainedNow = resolve;
    onAbort = () => {
      notify();
      if (inFlight === 0) resolve();
      else drainTimer = setTimeout(resolve, options.drainMs ?? DEFAULT_DRAIN_MS);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  await refill();
  // A plan in memory needs no more workers than deliveries; a stream's length is not known.
  const workers = Array.isArray(plan) ? Math.min(concurrency, Math.max(1, plan.length)) : concurrency;
  await Promise.race([Promise.all(Array.from({ length: workers }, worker)), drained]);
  finished = true;
  clearTimeout(drainTimer);
  if (onAbort) signal?.removeEventListener('abort', onAbort);
  const reason: unknown = signal?.reason;
  const counts = stream.counts();
  return {
    ...emptySummary(counts),
    delivered,
    failed,
    attempts,
    retried,
    unknownRead,
    verdicts,
    failures,
    ...(stopped ? { stopped } : {}),
    ...(interrupted() && !stopped
      ? {
          interrupted: {
            ...(typeof reason === 'string' ? { signal: reason } : {}),
            unfinished: counts.deliveries - delivered - failed,
            abandoned: inFlight,
            ...(counts.done ? {} : { unread: true }),
          },
        }
      : {}),
    ...(inputError !== undefined ? { inputError } : {}),
    p50Ms: latencies.percentile(50),
    p95Ms: latencies.percentile(95),
    elapsedMs: performance.now() - started,
  };
}
