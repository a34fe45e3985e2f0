import type { FaultEvery, FaultInjection } from '../delivery/fault-injection.js';
import { ExitCode, UserError } from '../errors.js';
import { oldGenerationGrowth, setV8Flags, YOUNG_GENERATION_FIXED } from '../v8-flags.js';
import type { CommandIO } from '../io.js';
import { streamWriter, type StreamWriter } from '../report/stream-writer.js';
import { colorLevel, makeChalk } from '../report/color.js';
import { exitCodeOf, jsonReplayReporter, prettyReplayReporter, type ReplayReporter } from '../report/replay-report.js';
import type { ControlOutcome } from '../delivery/control.js';
import type { CallTally } from '../delivery/gateway-calls.js';
import type { GatewayTransport } from '../delivery/gateway-transport.js';
import { createHttpTransport, sendChallenge } from '../delivery/http-transport.js';
import { emptySummary, planDeliveries, runDeliveries, type DeliveryStream, type PlannedDelivery, type ReplayEvent, type Transport } from '../delivery/deliveries.js';
import { encodedWindows, LIVE_INPUT_PAUSE_MS, READ_AHEAD_EVENTS, readAhead, streamPlan } from '../delivery/plan-stream.js';

import { eventTypeOf, type FieldOverride, type PrepareOptions } from '../protocol/envelope.js';
import type { EncoderSettings } from '../delivery/body-encoder.js';
import { loadEvents, streamEvents } from '../sources/events.js';
import { isLiveInput, type Closable } from '../sources/records.js';
import { isCallbackType, isLegacyCardAction } from '../protocol/envelope-fields.js';
import { checkOverrides, checkOverridesOn } from '../delivery/override-check.js';

/** What `replay` does, complete and checked (commands/replay.ts makes it from flags, environment and .env). */
export interface ReplayOptions {
  /** Event types, globs, samples, files, directories, `-`; none: every bundled sample. */
  inputs: string[];
  to: string;
  encryptKey?: string;
  verificationToken?: string;
  appId?: string;
  tenantKey?: string;
  keepIds: boolean;
  overrides: FieldOverride[];
  /** --set may add fields and change a value's kind (default: it changes existing fields, keeping their kind). */
  setNew?: boolean;
  challenge: boolean;
  timeoutMs: number;
  retrySchedule: number[];
  duplicate: number;
  shuffle: boolean;
  concurrency: number;
  json: boolean;
  gateway?: string;
  waitClientMs: number;
  /** With --gateway: a fault into the gateway after every n-th delivery, and its resilience report at the end. */
  faultEvery?: FaultEvery;
  /** With --gateway: an event (duplicates and re-pushes included) may cause at most this many Open API calls of one kind. */
  maxCallsPerEvent?: number;
  /** Send the control delivery first (`--no-control` turns it off). */
  control: boolean;
  /** ⚠ (and, with --contract, advisory findings) exit 1. */
  strict: boolean;
  /** Run the contract probes instead of replaying. */
  contract: boolean;
  format: 'pretty' | 'json' | 'junit';
  /** The User-Agent of every push. */
  userAgent: string;
  /** The longest NDJSON line / largest JSON document read (`--max-event-size`). */
  maxEventBytes?: number;
}

/** How the inputs are read (replay's and --contract's): decrypted with the Encrypt Key, bounded by --max-event-size. */
function eventOptions(options: ReplayOptions, io: CommandIO): Parameters<typeof loadEvents>[1] {
  return {
    stdin: io.stdin,
    cwd: io.cwd,
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
    ...(options.maxEventBytes !== undefined ? { maxEventBytes: options.maxEventBytes } : {}),
  };
}

/**
 * The events of the inputs, all in memory (see `replay` for the streamed way). An aborted `signal` closes an input
 * that waits for more (stdin, a FIFO): the events read by then (the caller checks `signal.aborted`).
 */
export function loadReplayEvents(options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<ReplayEvent[]> {
  if (signal === undefined) return loadEvents(options.inputs, eventOptions(options, io));
  return loadAll(stoppable((opened) => streamEvents(options.inputs, { ...eventOptions(options, io), opened }), signal).events);
}

/** Say that a stop came before anything was sent; the exit code is the signal's (cli.ts). */
export function interruptedWhileReading(io: CommandIO, signal: AbortSignal, read: number): number {
  io.stderr.write(`feishu-events: interrupted by ${String(signal.reason)} while reading the input: nothing was sent (${read} event${read === 1 ? '' : 's'} read)\n`);
  return ExitCode.findings;
}

/**
 * Whether the replay needs its whole input before sending: --duplicate (the rounds of duplicates come after every
 * first push), --shuffle (mixes everything) and --gateway (fault injection counts the deliveries; the Open API
 * calls are tied to the run's event ids). Otherwise the input is read as it is sent.
 */
export function needsWholeInput(options: ReplayOptions): boolean {
  return options.duplicate > 0 || options.shuffle || options.gateway !== undefined;
}

/** What a replay sends: events in memory, or a stream of the rest after the first ones (read and checked ahead). */
interface ReplayInput {
  head: ReplayEvent[];
  rest?: AsyncIterator<ReplayEvent[]> | undefined;
  /** Each event of `rest` before it is planned (the --set check). */
  check?: (event: ReplayEvent) => void;
  /** True once a stop has closed the input before its end (see `stoppable`). */
  cut?: () => boolean;
}

/**
 * The events of `events` until a stop: SIGINT / SIGTERM close the stream being read (stdin, a FIFO), which may wait
 * for input that never comes, and the events then end there rather than with that stream's error. `cut()` says
 * whether they did.
 */
function stoppable(read: (opened: (stream: Closable) => void) => AsyncIterator<ReplayEvent[]>, signal: AbortSignal | undefined): { events: AsyncIterator<ReplayEvent[]>; cut: () => boolean } {
  if (signal === undefined) return { events: read(() => {}), cut: () => false };
  let reading: Closable | undefined;
  let cut = false;
  const opened = (stream: Closable): void => {
    reading = stream;
    if (signal.aborted) stream.destroy();
  };
  signal.addEventListener('abort', () => reading?.destroy(), { once: true });
  const events = read(opened);
  return {
    events: {
      next: () =>
        events.next().catch((error: unknown) => {
          if (!signal.aborted) throw error;
          cut = true;
          return { done: true, value: undefined };
        }),
    },
    cut: () => cut,
  };
}

/** How every event is prepared before it is sent (replay's and --contract's): ids, token, header fields, --set. */
export function prepareOptionsOf(options: ReplayOptions): PrepareOptions {
  return {
    keepIds: options.keepIds,
    overrides: options.overrides,
    ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.tenantKey !== undefined ? { tenantKey: options.tenantKey } : {}),
  };
}

/** replay = sources → prepare → (challenge) → (control) → deliver → report. Resolves to the exit code. */
export async function replay(options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  // The first events are read (and checked) before anything is sent: an input of up to READ_AHEAD_EVENTS events is
  // read whole, so a bad line in it stops the replay before its first delivery. The rest is read as it is sent. A
  // live input (stdin, a FIFO) is sent from its first pause on: its producer may be waiting for events to happen.
  keepHeapNearLive();
  const { events, cut } = stoppable((opened) => streamEvents(options.inputs, { ...eventOptions(options, io), opened }), signal);
  // One object for what is read: the service lets go of the first events once they are planned.
  const live = options.inputs.some(isLiveInput);
  const input: ReplayInput = needsWholeInput(options) ? { head: await loadAll(events) } : await readAhead(events, READ_AHEAD_EVENTS, live ? LIVE_INPUT_PAUSE_MS : undefined);
  input.cut = cut;
  // Stopped before anything was sent (waiting for the first events, or for the end of an input it needs whole).
  if (signal?.aborted) return interruptedWhileReading(io, signal, input.head.length);
  // Every --set is checked against every event: those read ahead before anything is sent, the rest as they are read.
  if (options.overrides.length === 0 || options.setNew === true) return replayInput(input, options, io, signal);
  const overrides = checkOverrides(input.head, options.overrides);
  if (input.rest) input.check = (event: ReplayEvent) => checkOverridesOn(event, overrides);
  return replayInput(input, { ...options, overrides }, io, signal);
}

/**
 * A streamed replay sends each event a moment after reading it: much of what it allocates lives through a young
 * collection or two and is promoted, and V8 lets the old generation grow to ~4× what is live before collecting it,
 * and doubles the young generation to 2 × 16 MB within the first second (200+ MB of RSS at a million deliveries).
 * The young generation kept at its initial size and the old one growing by 30% keep the peak under 150 MB for a
 * few percent more GC time. The flags are read at every collection, so they can be set at run time; they are
 * process-wide (this process replays), and set before anything is read.
 */
function keepHeapNearLive(): void {
  setV8Flags(YOUNG_GENERATION_FIXED, oldGenerationGrowth(HEAP_GROWING_PERCENT));
}
const HEAP_GROWING_PERCENT = 30;

async function loadAll(events: AsyncIterator<ReplayEvent[]>): Promise<ReplayEvent[]> {
  const all: ReplayEvent[] = [];
  for (let next = await events.next(); !next.done; next = await events.next()) for (const event of next.value) all.push(event);
  return all;
}

/** Deliver events already loaded. SIGINT / SIGTERM abort `signal`: sending stops and the partial summary is printed. */
export function replayEvents(events: ReplayEvent[], options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  return replayInput({ head: events }, options, io, signal);
}

async function replayInput(input: ReplayInput, options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const agent = options.userAgent;
  // A line a delivery, thousands a second: gathered for 10 ms (a write a turn of the loop was ~6 µs of CPU a delivery).
  const out = streamWriter(io.stdout, undefined, REPORT_GATHER_MS);
  try {
    const reporter = options.json ? jsonReplayReporter(out) : prettyReplayReporter(out, io.stderr, await makeChalk(colorLevel(io.stdout, io.env)));
    return await replayTo(input, options, io, agent, reporter, out, signal);
  } finally {
    await out.flush();
    out.dispose();
  }
}

/**
 * After a replay with --fault-every: the gateway's resilience report, once every event of it is acked or given up
 * on (at most the time the gateway needs for all its re-pushes). Exit 1 when an event was never acked with 200.
 */
async function reportResilience(faults: FaultInjection, options: ReplayOptions, io: CommandIO, out: StreamWriter, signal: AbortSignal | undefined): Promise<number> {
  const { resilienceVerdict, formatResilience } = await import('../delivery/fault-injection.js');
  const settleMs = Math.max(10_000, options.timeoutMs * 6);
  let records;
  try {
    records = await faults.report(settleMs, () => signal?.aborted === true);
  } catch (error) {
    io.stderr.write(`feishu-events: the resilience report could not be fetched: ${(error as Error).message}\n`);
    return ExitCode.findings;
  }
  if (records === undefined) {
    io.stderr.write(`feishu-events: interrupted by ${String(signal?.reason)}: no resilience report (the gateway may still re-push events around the faults; \`feishu-events gateway report --gateway ${options.gateway ?? ''}\` shows them)\n`);
    return ExitCode.findings;
  }
  const verdict = resilienceVerdict(records);
  if (options.json) out.write(`${JSON.stringify(verdict)}\n`);
  else {
    const { formatFaultRecord } = await import('../report/gateway-log.js');
    out.write(formatResilience(verdict, await makeChalk(colorLevel(io.stdout, io.env)), formatFaultRecord));
  }
  return verdict.unacked > 0 || faults.injected().ok === 0 ? ExitCode.findings : ExitCode.ok;
}

/** The error of an input that failed part-way, saying that the deliveries before it were sent. */
function inputStopped(error: unknown, sent: number): Error {
  if (!(error instanceof UserError)) return error as Error;
  const before = `replay stopped there; the ${sent} deliver${sent === 1 ? 'y' : 'ies'} before it ${sent === 1 ? 'was' : 'were'} sent (see the summary)`;
  return new UserError(error.message, { exitCode: error.exitCode, hint: error.hint ? `${before}. ${error.hint}` : before, cause: error });
}

/** How long replay's output is gathered before it is written (unnoticeable to a reader, a tenth of the writes). */
const REPORT_GATHER_MS = 10;

/**
 * Below this many deliveries the encoding worker costs more than it saves: it costs ~80 ms of CPU to start (an isolate
 * of its own, its own JIT), and saves ~15 µs a delivery (on this thread the encoding's garbage is collected with the
 * sender's heap). Measured on 2 cores: the same CPU at 10,000 deliveries, 0.1 s less on this thread at 5,000.
 */
const ENCODER_MIN_DELIVERIES = 5000;

/** What the encoding worker needs of the prepare options (no clock, no random source: each event brings its own). */
function encoderPrepare(prepare: PrepareOptions): EncoderSettings['prepare'] {
  return {
    keepIds: prepare.keepIds ?? false,
    overrides: prepare.overrides ?? [],
    ...(prepare.verificationToken !== undefined ? { verificationToken: prepare.verificationToken } : {}),
    ...(prepare.appId !== undefined ? { appId: prepare.appId } : {}),
    ...(prepare.tenantKey !== undefined ? { tenantKey: prepare.tenantKey } : {}),
  };
}

/** A transport whose callbacks' answers are read and checked against their schemas. */
async function answerChecked(transport: Transport, io: CommandIO): Promise<Transport> {
  const { openSchemaCatalog } = await import('../catalog/schemas.js');
  const { withAnswerCheck } = await import('../delivery/callback-answer.js');
  const catalog = await openSchemaCatalog({ strict: false, warn: (message) => io.stderr.write(`feishu-events: ${message}\n`) });
  return withAnswerCheck(transport, (type) => catalog.answerFor(type));
}

/** The same, for a stream whose first events hold no callback: the schemas are loaded at the first callback, if any. */
function lazilyAnswerChecked(transport: Transport, io: CommandIO): Transport {
  let checked: Promise<Transport> | undefined;
  return {
    send: (delivery, attempt) => {
      if (!isCallbackType(delivery.eventType)) return transport.send(delivery, attempt);
      checked ??= answerChecked(transport, io);
      return checked.then((t) => t.send(delivery, attempt));
    },
    ...(transport.encode ? { encode: transport.encode.bind(transport) } : {}),
    ...(transport.close ? { close: transport.close.bind(transport) } : {}),
  };
}

/** Nothing listens where the first request went: one error and one hint, instead of one per delivery. */
function nothingListening(url: string, hint: string | undefined): UserError {
  return new UserError(`cannot deliver to ${url}: connection refused`, {
    exitCode: ExitCode.findings,
    hint: `${hint ?? 'start your app, or point --to at it'} (with --retries, replay keeps trying)`,
  });
}

async function replayTo(
  input: ReplayInput,
  options: ReplayOptions,
  io: CommandIO,
  agent: string,
  reporter: ReplayReporter,
  out: StreamWriter,
  signal: AbortSignal | undefined,
): Promise<number> {
  const failFast = options.retrySchedule.length === 0;
  const prepare = prepareOptionsOf(options);
  // In memory (--duplicate, --shuffle, --gateway: the whole plan), or a stream whose first events are known.
  const whole = needsWholeInput(options);
  const plan: readonly PlannedDelivery[] | undefined = whole ? planDeliveries(input.head, { prepare, duplicate: options.duplicate, shuffle: options.shuffle }) : undefined;
  let known: ReadonlyArray<{ envelope: ReplayEvent['envelope'] }> = plan ?? input.head;
  const first = plan ? plan[0] : input.head[0];
  const complete = input.rest === undefined;
  /** Deliveries known before the run: all of them, unless the input is still being read. */
  const planned = plan ? plan.length : complete ? input.head.length : undefined;
  const plainOnly = complete && known.length > 0 && known.every((d) => isLegacyCardAction(d.envelope));
  reporter.start({ target: options.gateway ?? options.to, deliveries: planned, encrypted: Boolean(options.encryptKey) && !options.gateway && !plainOnly });
  let transport: Transport;
  let faults: FaultInjection | undefined;
  let gatewayTransport: GatewayTransport | undefined;
  let control: ControlOutcome | undefined;
  let noControl: string | undefined;
  /** The stream of deliveries, once the transport (and its encoder) exists. */
  let stream: DeliveryStream | undefined;
  if (options.gateway && plan) {
    const legacy = plan.find((d) => isLegacyCardAction(d.envelope));
    if (legacy) {
      throw new UserError(`${legacy.source}: the legacy card action is only sent over HTTP, to the card request URL`, {
        exitCode: ExitCode.usage,
        hint: 'replay it with --to <card request URL>; card.action.trigger comes over the long connection too',
      });
    }
    // Through a running `feishu-events gateway` to the WSClient apps connected to it.
    // Events over the long connection are plaintext and there is no challenge: say so rather than ignore flags.
    if (options.challenge) io.stderr.write('feishu-events: note: --challenge does not apply to the long connection; skipped\n');
    if (options.encryptKey) io.stderr.write('feishu-events: note: events over the long connection are plaintext; --encrypt-key only decrypts encrypted inputs\n');
    const { createGatewayTransport } = await import('../delivery/gateway-transport.js');
    try {
      gatewayTransport = await createGatewayTransport({ gateway: options.gateway, timeoutMs: options.timeoutMs, waitClientMs: options.waitClientMs, io, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted !== true) throw error;
      io.stderr.write(`feishu-events: interrupted by ${String(signal.reason)} while waiting for a WSClient: nothing was sent\n`);
      return ExitCode.findings;
    }
    transport = gatewayTransport;
    if (options.faultEvery) {
      const { withFaults } = await import('../delivery/fault-injection.js');
      faults = withFaults(transport, options.gateway, options.faultEvery, plan.length, io);
      transport = faults.transport;
    }
  } else {
    // The legacy card action's request URL gets a plaintext challenge, and its actions are neither encrypted nor typed.
    const legacyOnly = plainOnly;
    if (options.challenge) {
      const outcome = await sendChallenge({
        url: options.to,
        userAgent: agent,
        ...(options.encryptKey && !legacyOnly ? { encryptKey: options.encryptKey } : {}),
        ...(options.verificationToken ? { verificationToken: options.verificationToken } : {}),
      });
      if (outcome.verdict === 'refused') throw nothingListening(options.to, outcome.hint);
      reporter.challenge(outcome);
      if (!outcome.ok) {
        const counts = plan ? { events: new Set(plan.map((d) => d.eventId)).size, deliveries: plan.length } : { events: known.length, deliveries: known.length };
        reporter.summary({ ...emptySummary(counts, outcome.ms), failed: counts.deliveries }, { challengeFailed: true, ...(complete ? {} : { inputUnread: true }) });
        return 1;
      }
    }
    // The first delivery, prepared now (the control is made of it); a stream plans it again with the same ids.
    const firstDelivery = plan ? plan[0] : first ? planDeliveries([first], { prepare: { ...prepare, keepIds: true } })[0] : undefined;
    if (options.control && firstDelivery && isLegacyCardAction(firstDelivery.envelope)) {
      noControl = 'no control delivery for the legacy card action (it is neither encrypted nor typed): ✓ means delivered and answered well';
    } else if (options.control && firstDelivery) {
      const { sendControl } = await import('../delivery/control.js');
      control = await sendControl(firstDelivery, { url: options.to, userAgent: agent, timeoutMs: options.timeoutMs, ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}) });
      if (control.verdict === 'refused' && failFast) throw nothingListening(options.to, control.hint);
      reporter.control(control);
    } else if (!options.control) {
      noControl = '--no-control: whether the app read the events was not checked (✓ means delivered, as the platform counts it)';
    }
    // Encrypted replays are encrypted and signed ahead, a batch at a time: in a worker thread when large or of unknown
    // size (a stream), on this thread otherwise.
    const encodeAhead = Boolean(options.encryptKey) && !plainOnly;
    const encodeInWorker = (plan ? plan.length : complete ? input.head.length : Infinity) >= ENCODER_MIN_DELIVERIES;
    transport = await createHttpTransport({
      url: options.to,
      timeoutMs: options.timeoutMs,
      userAgent: agent,
      connections: options.concurrency,
      ...(encodeAhead ? { encodeAhead: encoderPrepare(prepare), encodeInWorker } : {}),
      ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
      ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
    });
  }
  if (!plan) {
    const encode = transport.encode?.bind(transport);
    stream = streamPlan(input.head, input.rest, { prepare, ...(input.check ? { check: input.check } : {}), ...(encode ? { encode } : {}) });
  } else if (transport.encode) {
    // A plan in memory is encoded ahead a window at a time, as the stream would be.
    stream = encodedWindows(plan, transport.encode.bind(transport));
  }
  // A callback's answer is what the user sees: read and checked against its schema, over HTTP and the gateway alike.
  // Of a stream, only the events read ahead are known: a callback further on is still sent, its answer unchecked
  // unless a callback is among the first (a capture of callbacks starts with one).
  if (known.some((d) => isCallbackType(eventTypeOf(d.envelope) ?? ''))) transport = await answerChecked(transport, io);
  else if (!complete) transport = lazilyAnswerChecked(transport, io);
  if (stream) {
    // The stream has them now: memory holds only what is being sent.
    input.head = [];
    known = [];
  }

  try {
    const summary = await runDeliveries(stream ?? (plan as readonly PlannedDelivery[]), {
      transport,
      concurrency: options.concurrency,
      retrySchedule: options.retrySchedule,
      failFast,
      // Only an answer in time is compared: a late one says nothing about how the app treats what it cannot accept.
      ...(control?.status !== undefined && control.verdict !== 'late' ? { control: { status: control.status, ...(control.body !== undefined ? { body: control.body } : {}) } } : {}),
      // The next delivery waits while stdout is full: a slow reader keeps memory flat.
      onAttempt: (report) => {
        reporter.attempt(report);
        // A failed stdout (a closed pipe) does not stop the deliveries: their outcome is the exit code.
        return out.ready().catch(() => {});
      },
      ...(signal ? { signal } : {}),
    });
    // A stop that closed the input being read: the run ended there, with the rest of the input not read.
    if (input.cut?.() === true && summary.interrupted !== undefined && summary.interrupted.unread !== true) summary.interrupted = { ...summary.interrupted, unread: true };
    if (summary.stopped) {
      // One error and one hint on stderr, as when the control or the challenge is refused; nothing on stdout.
      const stoppedAfterControl = control !== undefined && control.status !== undefined;
      throw stoppedAfterControl
        ? new UserError(`cannot deliver to ${options.to}: connection refused, though the control delivery was answered`, {
            exitCode: ExitCode.findings,
            hint: 'the app stopped listening right after the control delivery — did it crash on a body it cannot accept? Check its log; --no-control skips the control',
          })
        : nothingListening(options.to, summary.stopped.hint);
    }
    // What the app did about the events, on the gateway's Open API: counted, and held against --max-calls-per-event.
    let calls: CallTally | undefined;
    if (gatewayTransport !== undefined) {
      calls = await gatewayTransport.calls(new Set(known.map((d) => (d as PlannedDelivery).eventId)), options.maxCallsPerEvent);
      if (calls === undefined && options.maxCallsPerEvent !== undefined) {
        throw new UserError(`the gateway at ${options.gateway ?? ''} does not record Open API calls`, { exitCode: ExitCode.usage, hint: 'update feishu-events: --max-calls-per-event needs a gateway of the same version' });
      }
    }
    reporter.summary(summary, {
      ...(control ? { control } : {}),
      ...(noControl ? { noControl } : {}),
      strict: options.strict,
      ...(calls !== undefined ? { calls } : {}),
      ...(options.maxCallsPerEvent !== undefined ? { maxCallsPerEvent: options.maxCallsPerEvent } : {}),
    });
    // A bad event further into a streamed input: what was sent before it is in the summary above; then the error.
    if (summary.inputError !== undefined) throw inputStopped(summary.inputError, summary.deliveries);
    const code = Math.max(exitCodeOf(summary, options.strict), calls !== undefined && calls.findings.length > 0 ? 1 : 0);
    if (faults) return Math.max(code, await reportResilience(faults, options, io, out, signal));
    return code;
  } finally {
    await transport.close?.({ force: signal?.aborted === true });
  }
}
