import { stat } from 'node:fs/promises';
import { FaultSpecError, parseFaultSpec } from '../gateway/fault-spec.js';
import type { FaultEvery } from '../delivery/fault-injection.js';
import { relative } from 'node:path';
import { listSamples, looksLikeSampleSpec, readSample, resolveSampleSpec, type SampleRef } from '../catalog/samples.js';
import { loadDotenv, resolveSetting } from '../config.js';
import { usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { decrypt, DecryptError } from '../protocol/crypto.js';
import { envelopeKind, parseOverride, type Envelope, type FieldOverride } from '../protocol/envelope.js';
import { readRecords } from '../sources/records.js';
import { parseDuration, parseRetrySchedule } from '../delivery/schedule.js';
import type { ReplayEvent } from '../delivery/replay.js';
import { packageRoot } from '../paths.js';
import { userAgent } from '../version.js';

export const DEFAULT_TARGET = 'http://127.0.0.1:3000/webhook/event';

export interface ReplayOptions {
  inputs: string[];
  to: string;
  encryptKey?: string;
  verificationToken?: string;
  appId?: string;
  tenantKey?: string;
  keepIds: boolean;
  overrides: FieldOverride[];
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
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseInteger(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw usageError(`${flag} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min) throw usageError(`${flag} must be at least ${min}, got ${value}`);
  return value;
}

function parseTarget(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${flag}: "${raw}" is not a URL`, 'e.g. --to http://127.0.0.1:3000/webhook/event');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${flag}: "${raw}" is not an http(s) URL`);
  return url.href;
}

/** Flags + environment + .env → a complete, checked options object. Pure but for reading `.env`. */
export function resolveReplayOptions(inputs: string[], flags: Record<string, unknown>, io: CommandIO): ReplayOptions {
  const sources = { env: io.env, dotenv: loadDotenv(io.cwd) };
  const to = resolveSetting(str(flags.to), 'FEISHU_EVENTS_TO', sources, DEFAULT_TARGET);
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const verificationToken = resolveSetting(str(flags.verificationToken), 'FEISHU_VERIFICATION_TOKEN', sources, '').value;
  let retrySchedule: number[];
  try {
    retrySchedule = parseRetrySchedule(str(flags.retries) ?? 'none');
  } catch (error) {
    throw usageError(`--retries: ${(error as Error).message}`, 'use none, platform, or a list like 1s,2s,5s');
  }
  let timeoutMs = 3000;
  if (str(flags.timeout) !== undefined) {
    try {
      timeoutMs = parseDuration(str(flags.timeout) as string);
    } catch (error) {
      throw usageError(`--timeout: ${(error as Error).message}`);
    }
    if (timeoutMs <= 0) throw usageError('--timeout must be more than 0');
  }
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
  const faultEvery = parseFaultEvery(str(flags.faultEvery));
  if (faultEvery !== undefined && gateway === undefined) throw usageError('--fault-every needs --gateway: faults are injected into a running `feishu-events gateway`');
  const maxCallsText = str(flags.maxCallsPerEvent);
  if (maxCallsText !== undefined && gateway === undefined) {
    throw usageError('--max-calls-per-event needs --gateway', "the calls are recorded by the gateway's Open API: point your app's Client({ domain }) and replay --gateway at the same gateway");
  }
  return {
    inputs,
    to: parseTarget(to.value, to.from === 'flag' ? '--to' : 'FEISHU_EVENTS_TO'),
    ...(encryptKey ? { encryptKey } : {}),
    ...(verificationToken ? { verificationToken } : {}),
    ...(str(flags.appId) !== undefined ? { appId: str(flags.appId) } : {}),
    ...(str(flags.tenantKey) !== undefined ? { tenantKey: str(flags.tenantKey) } : {}),
    keepIds: flags.keepIds === true,
    overrides,
    challenge: flags.challenge === true,
    timeoutMs,
    retrySchedule,
    duplicate: parseInteger('--duplicate', str(flags.duplicate), 0, 0),
    shuffle: flags.shuffle === true,
    concurrency: parseInteger('--concurrency', str(flags.concurrency), 1, 1),
    json: format === 'json',
    control: flags.control !== false,
    strict: flags.strict === true,
    contract,
    format,
    // The gateway is a domain, as `feishu-events gateway` prints it: no trailing slash.
    ...(gateway !== undefined ? { gateway: parseTarget(gateway, '--gateway').replace(/\/+$/, '') } : {}),
    waitClientMs: parseInteger('--wait-client', str(flags.waitClient), 5000, 0),
    ...(faultEvery !== undefined ? { faultEvery } : {}),
    ...(maxCallsText !== undefined ? { maxCallsPerEvent: parseInteger('--max-calls-per-event', maxCallsText, 0, 0) } : {}),
  };
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

function sampleSource(ref: SampleRef): string {
  return relative(process.cwd(), ref.path) || ref.path;
}

async function isPath(input: string): Promise<boolean> {
  try {
    await stat(input);
    return true;
  } catch {
    return false;
  }
}

/** An input value as an event envelope, decrypting `{"encrypt": …}` captures when the key is known. */
function toEnvelope(value: unknown, where: string, encryptKey: string | undefined): Envelope {
  const kind = envelopeKind(value);
  if (kind === '2.0' || kind === '1.0') return value as Envelope;
  if (kind === 'encrypted') {
    if (!encryptKey) throw usageError(`${where}: the event is encrypted`, 'pass --encrypt-key to decrypt it before it is replayed');
    let plaintext: string;
    try {
      plaintext = decrypt((value as { encrypt: string }).encrypt, encryptKey);
    } catch (error) {
      throw usageError(`${where}: ${error instanceof DecryptError ? error.message : 'cannot decrypt'}`);
    }
    let inner: unknown;
    try {
      inner = JSON.parse(plaintext);
    } catch {
      throw usageError(`${where}: the decrypted payload is not JSON`);
    }
    return toEnvelope(inner, where, undefined);
  }
  if (kind === 'url_verification') throw usageError(`${where}: a url_verification request is not an event`, 'use --challenge to send the challenge');
  throw usageError(`${where}: not an event envelope (expected "schema":"2.0" with a header, or a 1.0 event with event.type)`);
}

/** Turn the inputs into events: bundled samples, files, directories, stdin. */
export async function loadReplayEvents(inputs: readonly string[], io: CommandIO, encryptKey?: string): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  const specs = inputs.length === 0 ? ['*/*'] : inputs;
  const all = listSamples();
  for (const input of specs) {
    if (input !== '-' && !(await isPath(input))) {
      if (!looksLikeSampleSpec(input)) throw usageError(`${input}: no such file or directory`);
      for (const ref of resolveSampleSpec(input, all)) {
        events.push({ envelope: toEnvelope(readSample(ref), sampleSource(ref), undefined), source: sampleSource(ref) });
      }
      continue;
    }
    for await (const record of readRecords([input], io.stdin)) {
      const where = `${record.source}${record.kind === 'value' && record.pointer === '' && record.line > 1 ? `:${record.line}` : record.kind === 'value' && record.pointer !== '' ? `[${record.index}]` : ''}`;
      if (record.kind === 'malformed') throw usageError(`${record.source}:${record.line}:${record.column}: ${record.message}`);
      events.push({ envelope: toEnvelope(record.value, where, encryptKey), source: where });
    }
  }
  if (events.length === 0) throw usageError('no events to replay', inputs.length === 0 ? `no bundled samples found under ${packageRoot}samples` : 'the inputs hold no events');
  return events;
}

export async function runReplay(inputs: string[], flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  if (flags.list === true) return listBundled(io, flags.json === true);
  const options = resolveReplayOptions(inputs, flags, io);
  const events = await loadReplayEvents(options.inputs, io, options.encryptKey);
  if (options.contract) {
    const { runContract } = await import('../delivery/contract-service.js');
    return runContract(events, options, io, userAgent());
  }
  const { replay } = await import('../delivery/replay-service.js');
  return replay(events, options, io, userAgent());
}

function listBundled(io: CommandIO, json: boolean): number {
  const samples = listSamples();
  if (json) {
    for (const s of samples) io.stdout.write(`${JSON.stringify({ event_type: s.eventType, name: s.name, spec: `${s.eventType}/${s.name}` })}\n`);
    return 0;
  }
  const width = Math.max(...samples.map((s) => s.eventType.length));
  let last = '';
  for (const s of samples) {
    io.stdout.write(`${s.eventType === last ? ' '.repeat(width) : s.eventType.padEnd(width)}  ${s.name}\n`);
    last = s.eventType;
  }
  return 0;
}

