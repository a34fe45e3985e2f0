// The plan of a replay, read as it is sent: events are prepared a batch at a time, a few batches ahead of the
// deliveries (and encrypted + signed ahead, when the transport encodes), so that memory stays flat however large
// the input is.
import type { Envelope, PrepareOptions } from '../protocol/envelope.js';
import { eventIdOf, eventTypeOf, isLegacyCardAction, prepareEnvelope } from '../protocol/envelope.js';
import type { HttpDelivery } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { DeliveryStream, PlannedDelivery, ReplayEvent } from './deliveries.js';

/** Events read before the first delivery: an input this small is read (and checked) whole before anything is sent. */
export const READ_AHEAD_EVENTS = 1024;
/**
 * Deliveries per batch, and how many batches are planned (and encoded) ahead of the one being sent: enough for the
 * encoding worker to stay ahead at tens of thousands a second, few enough that little waits long in memory (what
 * outlives a garbage collection or two is promoted, and the heap grows with what is promoted).
 */
const BATCH = 128;
const DEPTH = 4;

export interface StreamPlanOptions {
  prepare?: PrepareOptions;
  /** Every event before it is planned (e.g. the --set check); what it throws ends the input there. */
  check?: (event: ReplayEvent) => void;
  /** Work on each batch ahead of sending (encrypting and signing in a worker thread); must not reject. */
  encode?: (batch: PlannedDelivery[]) => Promise<void>;
  batchSize?: number;
  depth?: number;
}

/**
 * A delivery of an event read as text: it keeps the text, not the parsed event (a tree of objects that would outlive
 * many garbage collections while it waits to be sent). The prepared envelope is made again from the text, with the
 * same id and time, only when it is asked for (a retry, the control): the same as what was planned.
 */
class TextDelivery implements PlannedDelivery {
  readonly copy = 0;
  prebuilt: HttpDelivery | undefined = undefined;
  private prepared: Envelope | undefined = undefined;
  constructor(
    readonly seq: number,
    readonly eventType: string,
    readonly eventId: string,
    readonly source: string,
    readonly text: string,
    readonly preparedAt: number,
    readonly legacy: boolean,
    private readonly prepare: PrepareOptions,
  ) {}

  get envelope(): Envelope {
    return (this.prepared ??= prepareEnvelope(JSON.parse(this.text) as Envelope, { ...this.prepare, eventId: this.eventId, now: this.preparedAt }));
  }
}

/**
 * How long a live input (stdin, a FIFO: a producer that writes events as they happen) may pause before what it has
 * given is sent: without it, `producer | feishu-events replay -` would send nothing until 1,024 events or the end.
 */
export const LIVE_INPUT_PAUSE_MS = 200;

/**
 * The first `count` events (or all, when there are fewer), and the rest still to read. With `pauseMs` (a live input),
 * the first events end at the first pause that long, once there is one: the rest is read as it is sent.
 */
export async function readAhead(
  events: AsyncIterator<ReplayEvent[]>,
  count = READ_AHEAD_EVENTS,
  pauseMs?: number,
): Promise<{ head: ReplayEvent[]; rest: AsyncIterator<ReplayEvent[]> | undefined }> {
  const head: ReplayEvent[] = [];
  while (head.length < count) {
    const pending = events.next();
    const next = head.length === 0 || pauseMs === undefined ? await pending : await unlessPause(pending, pauseMs);
    if (next === PAUSED) return { head, rest: resumed(pending, events) };
    if (next.done) return { head, rest: undefined };
    for (const event of next.value) head.push(event);
  }
  return { head, rest: events };
}

const PAUSED = Symbol('paused');

/** What `pending` resolves to, or PAUSED if it takes longer than `ms`. */
function unlessPause<T>(pending: Promise<T>, ms: number): Promise<T | typeof PAUSED> {
  let timer: NodeJS.Timeout | undefined;
  const pause = new Promise<typeof PAUSED>((resolve) => {
    timer = setTimeout(() => resolve(PAUSED), ms);
  });
  return Promise.race([pending, pause]).finally(() => clearTimeout(timer));
}

/** `events` again, starting with the read already asked for (`pending`). */
function resumed(pending: Promise<IteratorResult<ReplayEvent[]>>, events: AsyncIterator<ReplayEvent[]>): AsyncIterator<ReplayEvent[]> {
  // Its error, if it fails while nothing waits for it, comes with the next read.
  pending.catch(() => {});
  let first: Promise<IteratorResult<ReplayEvent[]>> | undefined = pending;
  return {
    next: () => {
      const next = first ?? events.next();
      first = undefined;
      return next;
    },
  };
}

/**
 * Deliveries of `head` then of `rest`, one delivery per event, in order, with fresh ids unless kept. An error of
 * the input (or of `check`) comes after the deliveries of every event before it.
 */
export function streamPlan(head: readonly ReplayEvent[], rest: AsyncIterator<ReplayEvent[]> | undefined, options: StreamPlanOptions = {}): DeliveryStream {
  const batchSize = options.batchSize ?? BATCH;
  const depth = options.depth ?? DEPTH;
  const prepare: PrepareOptions = { random: pooledRandom(), ...options.prepare };
  const check = options.check;
  const encode = options.encode;
  let source: readonly ReplayEvent[] = head;
  let at = 0;
  let seq = 0;
  let done = false;
  let failure: { error: unknown } | undefined;

  const nextEvents = async (): Promise<readonly ReplayEvent[] | undefined> => {
    while (at >= source.length) {
      if (rest === undefined) return undefined;
      const next = await rest.next();
      if (next.done) {
        rest = undefined;
        return undefined;
      }
      source = next.value;
      at = 0;
    }
    const end = Math.min(source.length, at + batchSize);
    const events = at === 0 && end === source.length ? source : source.slice(at, end);
    at = end;
    return events;
  };

  const plan = (events: readonly ReplayEvent[]): PlannedDelivery[] => {
    const now = Date.now();
    const options = { ...prepare, now };
    const out: PlannedDelivery[] = [];
    for (const event of events) {
      try {
        check?.(event);
      } catch (error) {
        // The events before it are still sent; the error comes next.
        failure = { error };
        break;
      }
      const envelope = prepareEnvelope(event.envelope, options);
      const eventType = eventTypeOf(envelope) ?? '(unknown type)';
      const eventId = eventIdOf(envelope) ?? '(no id)';
      out.push(
        event.text !== undefined
          ? new TextDelivery(++seq, eventType, eventId, event.source, event.text, now, isLegacyCardAction(envelope), prepare)
          : { seq: ++seq, envelope, eventType, eventId, source: event.source, copy: 0 },
      );
    }
    return out;
  };

  // Pulls run one after the other (the input is read in order), each a batch.
  let chain: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<PlannedDelivery[] | undefined> => {
    const next = chain.then(async (): Promise<PlannedDelivery[] | undefined> => {
      if (failure) throw failure.error;
      let events: readonly ReplayEvent[] | undefined;
      try {
        events = await nextEvents();
      } catch (error) {
        failure = { error };
        throw error;
      }
      if (events === undefined) {
        done = true;
        return undefined;
      }
      const batch = plan(events);
      const failed = failure as { error: unknown } | undefined;
      if (batch.length === 0 && failed) throw failed.error;
      return batch;
    });
    chain = next.catch(() => {});
    return next;
  };

  const ahead: Array<Promise<PlannedDelivery[] | undefined>> = [];
  let ended = false;
  const top = (): void => {
    while (!ended && failure === undefined && ahead.length < depth) {
      const next = pull().then(async (batch) => {
        if (batch === undefined) ended = true;
        else if (encode) await encode(batch);
        return batch;
      });
      next.catch(() => {}); // awaited in its turn by next()
      ahead.push(next);
    }
  };

  return {
    async next() {
      top();
      const first = ahead.shift();
      if (first === undefined) {
        if (failure) throw failure.error;
        return undefined;
      }
      const batch = await first;
      if (batch === undefined) {
        ahead.length = 0;
        return undefined;
      }
      top();
      return batch;
    },
    counts: () => ({ events: seq, deliveries: seq, done }),
  };
}

/** A plan in memory as a stream whose batches are encoded a few ahead of the one being sent. */
export function encodedWindows(plan: readonly PlannedDelivery[], encode: (batch: PlannedDelivery[]) => Promise<void>, batchSize = BATCH, depth = DEPTH): DeliveryStream {
  let at = 0;
  let events: number | undefined;
  const ahead: Array<Promise<PlannedDelivery[]>> = [];
  const top = (): void => {
    while (at < plan.length && ahead.length < depth) {
      const batch = plan.slice(at, at + batchSize);
      at += batch.length;
      ahead.push(encode(batch).then(() => batch));
    }
  };
  return {
    async next() {
      top();
      const batch = await ahead.shift();
      top();
      return batch;
    },
    counts: () => ({ events: (events ??= new Set(plan.map((d) => d.eventId)).size), deliveries: plan.length, done: true }),
  };
}
