import { FaultSpecError, parseFaultSpec } from '../gateway/fault-spec.js';
import type { FaultEvery } from '../delivery/fault-injection.js';
import { listSamples, resolveSampleSpec } from '../catalog/samples.js';
import { flagOrProfile, loadSettingSources, resolveSetting } from '../config.js';
import { ExitCode, usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { parseOverride, type FieldOverride } from '../protocol/envelope.js';
import { parseRetrySchedule } from '../delivery/retry-schedule.js';
import { userAgent } from '../version.js';
import { MAX_TIMER_MS, maxEventSize } from '../limits.js';

import { durationFlag, httpUrl, str, wholeNumber } from '../flags.js';
import type { ReplayOptions } from '../services/replay.js';

export const DEFAULT_TARGET = 'http://127.0.0.1:3000/webhook/event';

const TARGET_HINT = 'e.g. --to http://127.0.0.1:3000/webhook/event';

/** Flags + environment + .env + profile → a complete, checked options object. Pure but for reading `.env` and the profiles. */
export function resolveReplayOptions(inputs: string[], flags: Record<string, unknown>, io: CommandIO): ReplayOptions {
  const sources = loadSettingSources(flags, io);
  const to = resolveSetting(str(flags.to), 'FEISHU_EVENTS_TO', sources, DEFAULT_TARGET);
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const verificationToken = resolveSetting(str(flags.verificationToken), 'FEISHU_VERIFICATION_TOKEN', sources, '').value;
  // header.app_id: the flag, else the profile's app (no environment variable: FEISHU_APP_ID is tail's credential).
  const appId = flagOrProfile(str(flags.appId), 'FEISHU_APP_ID', sources);
  let retrySchedule: number[];
  try {
    retrySchedule = parseRetrySchedule(str(flags.retries) ?? 'none');
  } catch (error) {
    throw usageError(`--retries: ${(error as Error).message}`, 'use none, platform, or a list like 1s,2s,5s');
  }
  const timeoutMs = durationFlag('--timeout', str(flags.timeout), 3000);
  const overrides: FieldOverride[] = [];
  for (const expression of (flags.set as string[] | undefined) ?? []) {
    try {
      overrides.push(parseOverride(expression));
    } catch (error) {
      throw usageError(`--set: ${(error as Error).message}`, 'e.g. --set event.package_id=13 --set event.candidate_info.name=李雷');
    }
  }
  const gateway = str(flags.gateway);
  const contract = flags.contract === true;
  const formatFlag = str(flags.format);
  if (formatFlag !== undefined && !['pretty', 'json', 'junit'].includes(formatFlag)) throw usageError(`--format must be pretty, json or junit, got "${formatFlag}"`);
  const format = (flags.json === true ? 'json' : (formatFlag ?? 'pretty')) as ReplayOptions['format'];
  if (format === 'junit' && !contract) throw usageError('--format junit is for --contract', 'a replay reports deliveries as pretty text or --json');
  if (contract && gateway !== undefined) throw usageError('--contract probes an HTTP endpoint; it does not apply to --gateway');
  if (gateway !== undefined && str(flags.to) !== undefined) {
    throw usageError('--to and --gateway do not go together: --to POSTs to an HTTP endpoint, --gateway pushes over the long connection', 'drop one of them');
  }
  const faultEvery = parseFaultEvery(str(flags.faultEvery));
  if (faultEvery !== undefined && gateway === undefined) throw usageError('--fault-every needs --gateway: faults are injected into a running `feishu-events gateway`');
  const maxCallsText = str(flags.maxCallsPerEvent);
  if (maxCallsText !== undefined && gateway === undefined) {
    throw usageError('--max-calls-per-event needs --gateway', "the calls are recorded by the gateway's Open API: point your app's Client({ domain }) and replay --gateway at the same gateway");
  }
  return {
    inputs,
    to: httpUrl(to.from === 'flag' ? '--to' : 'FEISHU_EVENTS_TO', to.value, TARGET_HINT).href,
    ...(encryptKey ? { encryptKey } : {}),
    ...(verificationToken ? { verificationToken } : {}),
    ...(appId !== undefined ? { appId } : {}),
    ...(str(flags.tenantKey) !== undefined ? { tenantKey: str(flags.tenantKey) } : {}),
    keepIds: flags.keepIds === true,
    overrides,
    challenge: flags.challenge === true,
    timeoutMs,
    retrySchedule,
    duplicate: wholeNumber('--duplicate', str(flags.duplicate), 0, 0, 10_000),
    shuffle: flags.shuffle === true,
    concurrency: wholeNumber('--concurrency', str(flags.concurrency), 1, 1, 10_000),
    json: format === 'json',
    control: flags.control !== false,
    strict: flags.strict === true,
    contract,
    format,
    maxEventBytes: maxEventSize(str(flags.maxEventSize)),
    // The gateway is a domain, as `feishu-events gateway` prints it: no trailing slash.
    ...(gateway !== undefined ? { gateway: gatewayDomain(gateway) } : {}),
    waitClientMs: waitClientMs(str(flags.waitClient)),
    setNew: flags.setNew === true,
    ...(faultEvery !== undefined ? { faultEvery } : {}),
    ...(maxCallsText !== undefined ? { maxCallsPerEvent: wholeNumber('--max-calls-per-event', maxCallsText, 0, 0) } : {}),
    userAgent: userAgent(),
  };
}

/** --wait-client: a duration like --timeout (a bare number is ms), no longer than a timer can wait. */
function waitClientMs(raw: string | undefined): number {
  const ms = durationFlag('--wait-client', raw, 5000);
  if (ms > MAX_TIMER_MS) throw usageError(`--wait-client must be at most ${MAX_TIMER_MS} ms, got ${raw}`);
  return ms;
}

/** The gateway's domain as `feishu-events gateway` prints it (no trailing slash); `host:port` gets the http:// it lacks. */
function gatewayDomain(raw: string): string {
  const bare = /^[A-Za-z0-9.-]+:\d+(\/.*)?$/.test(raw) || /^\[[0-9a-fA-F:]+\]:\d+/.test(raw);
  return httpUrl('--gateway', bare ? `http://${raw}` : raw, 'give the domain `feishu-events gateway` printed, e.g. --gateway http://127.0.0.1:41619').href.replace(/\/+$/, '');
}

/** `5:drop`, `3:refuse-endpoint:2`, `"10:restart 500"` → every n deliveries, that fault. */
function parseFaultEvery(raw: string | undefined): FaultEvery | undefined {
  if (raw === undefined) return undefined;
  const match = /^\s*(\d+)\s*[:\s]\s*(.+)$/.exec(raw);
  const hint = 'e.g. --fault-every 5:drop, --fault-every 3:refuse-endpoint:2 or --fault-every "10:restart 500"';
  if (!match) throw usageError(`--fault-every: expected <n>:<fault>, got "${raw}"`, hint);
  const every = Number(match[1]);
  if (every < 1) throw usageError('--fault-every: n must be at least 1', hint);
  try {
    const spec = parseFaultSpec(match[2] as string);
    if (spec.kind === 'clear') throw new FaultSpecError('clear is not a fault to repeat');
    return { every, spec };
  } catch (error) {
    if (error instanceof FaultSpecError) throw usageError(`--fault-every: ${error.message}`, hint);
    throw error;
  }
}

export async function runReplay(inputs: string[], flags: Record<string, unknown>, io: CommandIO, signal?: AbortSignal): Promise<number> {
  if (flags.list === true) return listBundled(io, flags.json === true, inputs);
  const options = resolveReplayOptions(inputs, flags, io);
  if (options.contract) {
    const { runContract } = await import('../services/contract.js');
    return runContract(options, io, signal);
  }
  // The delivery code (undici, the worker) is loaded only once the flags are known to be good.
  const { replay } = await import('../services/replay.js');
  return replay(options, io, signal);
}

/** `replay --list [specs…]`: the bundled samples, one line per event type, or one JSON object per sample. */
async function listBundled(io: CommandIO, json: boolean, specs: readonly string[]): Promise<number> {
  let samples = listSamples();
  if (specs.length > 0) {
    // The same specs replay takes: a type, a glob, type/name, type/* — each must match something.
    const chosen = new Set<string>();
    for (const spec of specs) for (const ref of resolveSampleSpec(spec.includes('/') ? spec : `${spec}/*`, samples)) chosen.add(ref.path);
    samples = samples.filter((s) => chosen.has(s.path));
  }
  if (json) {
    io.stdout.write(samples.map((s) => `${JSON.stringify({ event_type: s.eventType, name: s.name, spec: `${s.eventType}/${s.name}` })}\n`).join(''));
    return ExitCode.ok;
  }
  const byType = new Map<string, string[]>();
  for (const s of samples) byType.set(s.eventType, [...(byType.get(s.eventType) ?? []), s.name]);
  // Long types do not widen every row; on a terminal each row is cut to its width.
  const typeWidth = Math.min(44, Math.max(...[...byType.keys()].map((t) => t.length)));
  // string-width (report/cells.ts) costs ~30 ms to set up: loaded only for a terminal.
  const width = io.stdout.isTTY ? (io.stdout.columns ?? 80) : undefined;
  const fitCells = width !== undefined ? (await import('../report/cells.js')).fitCells : undefined;
  // One write (as for --json): a line at a time was a system call per line on a pipe.
  let text = '';
  for (const [type, names] of byType) {
    const line = `${type.padEnd(typeWidth)}  ${names.join(' ')}`;
    text += `${fitCells !== undefined && width !== undefined ? fitCells(line, width) : line}\n`;
  }
  io.stdout.write(text);
  return ExitCode.ok;
}
