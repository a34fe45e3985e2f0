import type { Envelope, PrepareOptions } from '../protocol/envelope.js';
import { eventIdOf, eventTypeOf, prepareEnvelope } from '../protocol/envelope.js';
import { pooledRandom } from '../protocol/random.js';
import type { CallbackAnswer, ClientError } from './callback-answer.js';
import { readEvidence, type ReadEvidence, type VerdictKind } from './verdict.js';

/** An event to replay and where it came from. */
export interface ReplayEvent {
  envelope: Envelope;
  /** `samples/<type>/<name>.json`, `file.ndjson:12`, `<stdin>:3`… */
  source: string;
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
  /** Distinct events. */
  events: number;
  /** Planned deliveries (events × (1 + duplicates)). */
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
  /** Set when the run stopped at its first attempt because nothing listens there. */
  stopped?: AttemptReport;
  /**
   * Set when the run was interrupted (SIGINT, SIGTERM): no new attempt was started after that, the ones in flight
   * were waited for briefly. `signal` is the abort reason when it is a signal name; `unfinished` the deliveries
   * with no final outcome (never sent, waiting for a retry, or still in flight when the wait ended).
   */
  interrupted?: { signal?: string; unfinished: number; abandoned: number };
  p50Ms: number;
  p95Ms: number;
  elapsedMs: number;
}

export function emptySummary(plan: readonly PlannedDelivery[], elapsedMs = 0): ReplaySummary {
  return {
    events: new Set(plan.map((d) => d.eventId)).size,
    deliveries: plan.length,
    delivered: 0,
    failed: 0,
    attempts: 0,
    retried: 0,
    unknownRead: 0,
    verdicts: {},
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

/** Percentile (nearest rank) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
/** How long, after an interruption, deliveries in flight get to finish: long enough for a local app, short for a person. */
export const DEFAULT_DRAIN_MS = 2000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deliver the plan with at most `concurrency` attempts in flight, in plan order. A failed attempt is retried
 * after the next delay of the schedule without holding up the rest, as the platform does.
 */
export async function runDeliveries(plan: readonly PlannedDelivery[], options: RunOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const schedule = options.retrySchedule ?? [];
  const sleep = options.sleep ?? defaultSleep;
  const latencies: number[] = [];
  let delivered = 0;
  let failed = 0;
  let attempts = 0;
  let retried = 0;
  let unknownRead = 0;
  let stopped: AttemptReport | undefined;
  const verdicts: Partial<Record<VerdictKind, number>> = {};

  type Task = { delivery: PlannedDelivery; attempt: number };
  // Read with a moving head rather than shift(): shift() on a long array is O(n) per call.
  const queue: Task[] = plan.map((delivery) => ({ delivery, attempt: 1 }));
  let head = 0;
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

  const runTask = async (task: Task): Promise<void> => {
    inFlight++;
    let outcome: AttemptOutcome;
    try {
      outcome = await options.transport.send(task.delivery, task.attempt);
    } finally {
      inFlight--;
    }
    if (stopped || finished) return;
    attempts++;
    const read: ReadEvidence = outcome.ok ? readEvidence(outcome, options.control) : 'unchecked';
    if (outcome.ok) latencies.push(outcome.ms);
    const retryDelay = outcome.ok ? undefined : schedule[task.attempt - 1];
    const report: AttemptReport = { ...outcome, delivery: task.delivery, attempt: task.attempt, read, ...(retryDelay !== undefined ? { retryInMs: retryDelay } : {}) };
    if (options.failFast && attempts === 1 && outcome.verdict === 'refused' && retryDelay === undefined) {
      stopped = report;
      failed = plan.length;
      verdicts.refused = plan.length;
      return;
    }
    const told = options.onAttempt?.(report);
    if (outcome.ok || retryDelay === undefined) verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
    if (outcome.ok) {
      delivered++;
      if (read === 'unknown') unknownRead++;
      if (task.attempt > 1) retried++;
    } else if (retryDelay !== undefined && !interrupted()) {
      pendingRetries++;
      void sleep(retryDelay).then(() => {
        pendingRetries--;
        queue.push({ delivery: task.delivery, attempt: task.attempt + 1 });
        notify();
      });
    } else {
      failed++;
      if (task.attempt > 1) retried++;
    }
    if (told instanceof Promise) await told;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped || interrupted()) return;
      const task = head < queue.length ? queue[head++] : undefined;
      if (task) {
        await runTask(task);
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

  // An interruption wakes workers waiting for a retry (they then stop) and bounds the wait for attempts in flight.
  let drainTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const drained = new Promise<void>((resolve) => {
    onAbort = () => {
      notify();
      drainTimer = setTimeout(resolve, options.drainMs ?? DEFAULT_DRAIN_MS);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  await Promise.race([Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, plan.length)) }, worker)), drained]);
  finished = true;
  clearTimeout(drainTimer);
  if (onAbort) signal?.removeEventListener('abort', onAbort);
  const reason: unknown = signal?.reason;
  return {
    ...emptySummary(plan),
    delivered,
    failed,
    attempts,
    retried,
    unknownRead,
    verdicts,
    ...(stopped ? { stopped } : {}),
    ...(interrupted() && !stopped
      ? { interrupted: { ...(typeof reason === 'string' ? { signal: reason } : {}), unfinished: plan.length - delivered - failed, abandoned: inFlight } }
      : {}),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    elapsedMs: performance.now() - started,
  };
}
