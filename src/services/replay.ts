import type { FaultEvery, FaultInjection } from '../delivery/fault-injection.js';
import { ExitCode, UserError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { streamWriter, type StreamWriter } from '../report/stream-writer.js';
import { colorLevel, makeChalk } from '../report/color.js';
import { exitCodeOf, jsonReplayReporter, prettyReplayReporter, type ReplayReporter } from '../report/replay-report.js';
import type { ControlOutcome } from '../delivery/control.js';
import type { CallTally } from '../delivery/gateway-calls.js';
import type { GatewayTransport } from '../delivery/gateway-transport.js';
import { createHttpTransport, sendChallenge } from '../delivery/http-transport.js';
import { emptySummary, planDeliveries, runDeliveries, type ReplayEvent, type Transport } from '../delivery/deliveries.js';

import type { FieldOverride, PrepareOptions } from '../protocol/envelope.js';
import { loadEvents } from '../sources/events.js';
import { isCallbackType, isLegacyCardAction } from '../protocol/envelope-fields.js';
import { checkOverrides } from '../delivery/override-check.js';

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

/** The events of the inputs (replay's and --contract's): decrypted with the Encrypt Key, bounded by --max-event-size. */
export function loadReplayEvents(options: ReplayOptions, io: CommandIO): Promise<ReplayEvent[]> {
  return loadEvents(options.inputs, {
    stdin: io.stdin,
    cwd: io.cwd,
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
    ...(options.maxEventBytes !== undefined ? { maxEventBytes: options.maxEventBytes } : {}),
  });
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
  const events = await loadReplayEvents(options, io);
  // Every --set is checked against every event before anything is sent.
  const overrides = options.overrides.length > 0 && options.setNew !== true ? checkOverrides(events, options.overrides) : options.overrides;
  return replayEvents(events, { ...options, overrides }, io, signal);
}

/** Deliver events already loaded. SIGINT / SIGTERM abort `signal`: sending stops and the partial summary is printed. */
export async function replayEvents(events: ReplayEvent[], options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const agent = options.userAgent;
  const out = streamWriter(io.stdout);
  try {
    const reporter = options.json ? jsonReplayReporter(out) : prettyReplayReporter(out, io.stderr, await makeChalk(colorLevel(io.stdout, io.env)));
    return await replayTo(events, options, io, agent, reporter, out, signal);
  } finally {
    await out.flush();
    out.dispose();
  }
}

/**
 * After a replay with --fault-every: the gateway's resilience report, once every event of it is acked or given up
 * on (at most the time the gateway needs for all its re-pushes). Exit 1 when an event was never acked with 200.
 */
async function reportResilience(faults: FaultInjection, options: ReplayOptions, io: CommandIO, out: StreamWriter): Promise<number> {
  const { resilienceVerdict, formatResilience } = await import('../delivery/fault-injection.js');
  const settleMs = Math.max(10_000, options.timeoutMs * 6);
  let records;
  try {
    records = await faults.report(settleMs);
  } catch (error) {
    io.stderr.write(`feishu-events: the resilience report could not be fetched: ${(error as Error).message}\n`);
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

/** Nothing listens where the first request went: one error and one hint, instead of one per delivery. */
function nothingListening(url: string, hint: string | undefined): UserError {
  return new UserError(`cannot deliver to ${url}: connection refused`, {
    exitCode: ExitCode.findings,
    hint: `${hint ?? 'start your app, or point --to at it'} (with --retries, replay keeps trying)`,
  });
}

async function replayTo(
  events: ReplayEvent[],
  options: ReplayOptions,
  io: CommandIO,
  agent: string,
  reporter: ReplayReporter,
  out: StreamWriter,
  signal: AbortSignal | undefined,
): Promise<number> {
  const plan = planDeliveries(events, {
    prepare: prepareOptionsOf(options),
    duplicate: options.duplicate,
    shuffle: options.shuffle,
  });
  const failFast = options.retrySchedule.length === 0;

  const plainOnly = plan.length > 0 && plan.every((d) => isLegacyCardAction(d.envelope));
  reporter.start({ target: options.gateway ?? options.to, deliveries: plan.length, encrypted: Boolean(options.encryptKey) && !options.gateway && !plainOnly });
  let transport: Transport;
  let faults: FaultInjection | undefined;
  let gatewayTransport: GatewayTransport | undefined;
  let control: ControlOutcome | undefined;
  let noControl: string | undefined;
  if (options.gateway) {
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
    gatewayTransport = await createGatewayTransport({ gateway: options.gateway, timeoutMs: options.timeoutMs, waitClientMs: options.waitClientMs, io });
    transport = gatewayTransport;
    if (options.faultEvery) {
      const { withFaults } = await import('../delivery/fault-injection.js');
      faults = withFaults(transport, options.gateway, options.faultEvery, plan.length, io);
      transport = faults.transport;
    }
  } else {
    // The legacy card action's request URL gets a plaintext challenge, and its actions are neither encrypted nor typed.
    const legacyOnly = plan.length > 0 && plan.every((d) => isLegacyCardAction(d.envelope));
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
        reporter.summary({ ...emptySummary(plan, outcome.ms), failed: plan.length }, { challengeFailed: true });
        return 1;
      }
    }
    if (options.control && plan[0] && isLegacyCardAction(plan[0].envelope)) {
      noControl = 'no control delivery for the legacy card action (it is neither encrypted nor typed): ✓ means delivered and answered well';
    } else if (options.control && plan[0]) {
      const { sendControl } = await import('../delivery/control.js');
      control = await sendControl(plan[0], { url: options.to, userAgent: agent, timeoutMs: options.timeoutMs, ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}) });
      if (control.verdict === 'refused' && failFast) throw nothingListening(options.to, control.hint);
      reporter.control(control);
    } else if (!options.control) {
      noControl = '--no-control: whether the app read the events was not checked (✓ means delivered, as the platform counts it)';
    }
    transport = await createHttpTransport({
      url: options.to,
      plan,
      timeoutMs: options.timeoutMs,
      userAgent: agent,
      connections: options.concurrency,
      ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
      ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
    });
  }
  // A callback's answer is what the user sees: read and checked against its schema, over HTTP and the gateway alike.
  if (plan.some((d) => isCallbackType(d.eventType))) {
    const { openSchemaCatalog } = await import('../catalog/schemas.js');
    const { withAnswerCheck } = await import('../delivery/callback-answer.js');
    const catalog = await openSchemaCatalog({ strict: false, warn: (message) => io.stderr.write(`feishu-events: ${message}\n`) });
    transport = withAnswerCheck(transport, (type) => catalog.answerFor(type));
  }

  try {
    const summary = await runDeliveries(plan, {
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
      calls = await gatewayTransport.calls(new Set(plan.map((d) => d.eventId)), options.maxCallsPerEvent);
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
    const code = Math.max(exitCodeOf(summary, options.strict), calls !== undefined && calls.findings.length > 0 ? 1 : 0);
    if (faults) return Math.max(code, await reportResilience(faults, options, io, out));
    return code;
  } finally {
    await transport.close?.({ force: signal?.aborted === true });
  }
}
