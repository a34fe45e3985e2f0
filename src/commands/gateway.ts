import { isIP } from 'node:net';
import { usageError, UserError } from '../errors.js';
import { writeOut, type CommandIO } from '../io.js';
import type { ClientConfig } from '../protocol/frame.js';
import { parseDuration } from '../delivery/schedule.js';
import { FaultSpecError, formatFaultSpec, parseFaultSpec, type FaultSpec } from '../gateway/fault-spec.js';
import type { ClientPick, FaultRecord, Gateway, GatewayEvent, GatewayOptions } from '../gateway/types.js';
import { ExitCode } from '../errors.js';
import { loadDotenv, resolveSetting } from '../config.js';

export interface GatewayCommandOptions {
  port: number;
  host: string;
  appId?: string;
  appSecret?: string;
  fragmentSize?: number;
  redeliver: boolean;
  ackTimeoutMs: number;
  /** Re-pushes of one event at most. */
  repush: number;
  faults: FaultSpec[];
  clientConfig: ClientConfig;
  pick: ClientPick;
  json: boolean;
}

const PICKS: readonly ClientPick[] = ['round-robin', 'random'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw usageError(`${flag} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw usageError(`${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}`);
  return value;
}

function checkHost(raw: string): string {
  const host = raw.trim();
  // An IP address or a host name; no scheme, port or path.
  if (host === '' || (isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/.test(host))) {
    throw usageError(`--host: "${raw}" is not an IP address or a host name`, 'e.g. --host 127.0.0.1 (default) or --host 0.0.0.0 to accept other machines');
  }
  return host;
}

/** Flags → a complete, checked options object. */
export function resolveGatewayOptions(flags: Record<string, unknown>): GatewayCommandOptions {
  const fragmentText = str(flags.fragmentSize);
  let ackTimeoutMs = 3000;
  const ackText = str(flags.ackTimeout);
  if (ackText !== undefined) {
    try {
      ackTimeoutMs = parseDuration(ackText);
    } catch (error) {
      throw usageError(`--ack-timeout: ${(error as Error).message}`);
    }
    if (ackTimeoutMs < 1) throw usageError('--ack-timeout must be more than 0');
  }
  const pick = str(flags.pick) ?? 'round-robin';
  if (!(PICKS as readonly string[]).includes(pick)) throw usageError(`--pick must be one of ${PICKS.join(', ')}, got "${pick}"`);
  const appId = str(flags.appId);
  const appSecret = str(flags.appSecret);
  const faults = (Array.isArray(flags.fault) ? (flags.fault as unknown[]) : flags.fault === undefined ? [] : [flags.fault]).map((raw) => {
    const spec = parseFault(String(raw), '--fault');
    if (spec.kind === 'restart' || spec.kind === 'clear') throw usageError(`--fault ${spec.kind}: only a running gateway can ${spec.kind === 'restart' ? 'restart' : 'clear faults'}`, 'use `feishu-events gateway fault …` once it runs');
    return spec;
  });
  return {
    port: wholeNumber('--port', str(flags.port), 0, 0, 65535),
    host: checkHost(str(flags.host) ?? '127.0.0.1'),
    ...(appId !== undefined ? { appId } : {}),
    ...(appSecret !== undefined ? { appSecret } : {}),
    ...(fragmentText !== undefined ? { fragmentSize: wholeNumber('--fragment-size', fragmentText, 0, 1) } : {}),
    redeliver: flags.redeliver !== false,
    ackTimeoutMs,
    repush: wholeNumber('--repush', str(flags.repush), 4, 0, 1000),
    faults,
    clientConfig: {
      // PingInterval 0 would make the node SDK ping in a tight loop, and ReconnectInterval 0 retry in one.
      PingInterval: wholeNumber('--ping-interval', str(flags.pingInterval), 120, 1),
      ReconnectCount: wholeNumber('--reconnect-count', str(flags.reconnectCount), -1, -1),
      ReconnectInterval: wholeNumber('--reconnect-interval', str(flags.reconnectInterval), 120, 1),
      ReconnectNonce: wholeNumber('--reconnect-nonce', str(flags.reconnectNonce), 30, 0),
    },
    pick: pick as ClientPick,
    json: flags.json === true,
  };
}

function parseFault(raw: string | string[], flag: string): FaultSpec {
  try {
    return parseFaultSpec(raw);
  } catch (error) {
    if (error instanceof FaultSpecError) throw usageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function listenError(error: unknown, options: GatewayCommandOptions): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') throw usageError(`port ${options.port} on ${options.host} is already in use`, 'is another gateway running? pick another --port, or --port 0 for a free one');
  if (code === 'EACCES') throw usageError(`not allowed to listen on port ${options.port}`, 'ports below 1024 need privileges: pick a higher --port');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAFNOSUPPORT') {
    throw usageError(`--host ${options.host}: cannot listen on that address (${code})`, 'use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0');
  }
  throw error;
}

/** Resolves when SIGINT or SIGTERM arrives, or when `signal` aborts. */
function stopRequested(signal: AbortSignal | undefined): { promise: Promise<void>; dispose: () => void } {
  let dispose = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    dispose = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    };
  });
  return { promise, dispose };
}

function controlDomain(flags: Record<string, unknown>, io: CommandIO): string {
  const raw = resolveSetting(str(flags.gateway), 'FEISHU_EVENTS_GATEWAY', { env: io.env, dotenv: loadDotenv(io.cwd) }, '').value;
  if (raw === '') {
    throw usageError('which gateway? pass --gateway <domain> (or set FEISHU_EVENTS_GATEWAY)', 'the domain is the first line `feishu-events gateway` prints, e.g. http://127.0.0.1:PORT');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--gateway: "${raw}" is not a URL`, 'e.g. --gateway http://127.0.0.1:PORT');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--gateway: "${raw}" is not an http(s) URL`);
  return url.origin;
}

async function controlCall<T>(run: () => Promise<T>): Promise<T> {
  const { ControlRefused, ControlUnreachable } = await import('../gateway/control-client.js');
  try {
    return await run();
  } catch (error) {
    if (error instanceof ControlUnreachable) throw new UserError(error.message, { exitCode: ExitCode.findings, hint: 'is `feishu-events gateway` running? pass the domain it printed to --gateway' });
    if (error instanceof ControlRefused) throw new UserError(`the gateway refused: ${error.message}`, { exitCode: error.status === 400 ? ExitCode.usage : ExitCode.findings });
    throw error;
  }
}

async function printReport(records: FaultRecord[], io: CommandIO, json: boolean): Promise<void> {
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify({ faults: records })}\n`);
    return;
  }
  const { colorLevel, makeChalk } = await import('../report/color.js');
  const c = await makeChalk(colorLevel(io.stdout, io.env));
  const { formatFaultRecord } = await import('../gateway/log-format.js');
  await writeOut(io.stdout, records.length === 0 ? 'no faults injected yet\n' : `${records.map((r) => formatFaultRecord(r, c)).join('\n')}\n`);
}

/** `gateway fault <kind> [args…] [--client id]`: inject a fault into a running gateway and print what it opened. */
async function runFaultAction(words: string[], flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const spec = parseFault(words, 'gateway fault');
  const domain = controlDomain(flags, io);
  const client = str(flags.client);
  const { injectFault } = await import('../gateway/control-client.js');
  const records = await controlCall(() => injectFault(domain, spec, client));
  if (flags.json === true) await writeOut(io.stdout, `${JSON.stringify({ faults: records })}\n`);
  else if (records.length === 0) await writeOut(io.stdout, `${spec.kind}: done\n`);
  else await writeOut(io.stdout, `${records.map((r) => `${r.id} ${r.spec}${r.client !== null ? ` → ${r.client}` : ''}`).join('\n')}\n`);
  return 0;
}

/** `gateway report`: the resilience report of a running gateway. Exit 1 while an event of it is not acked with 200. */
async function runReportAction(flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const domain = controlDomain(flags, io);
  const { fetchFaultReport, summarizeFaults } = await import('../gateway/control-client.js');
  const records = await controlCall(() => fetchFaultReport(domain));
  await printReport(records, io, flags.json === true);
  return summarizeFaults(records).unacked > 0 ? ExitCode.findings : ExitCode.ok;
}

/**
 * `feishu-events gateway`: run until SIGINT/SIGTERM (or `signal`), logging as it goes; `gateway fault …` and
 * `gateway report` talk to a running one. Resolves to the exit code.
 */
export async function runGateway(flags: Record<string, unknown>, io: CommandIO, signal?: AbortSignal, actions: string[] = []): Promise<number> {
  const [action, ...rest] = actions;
  if (action === 'fault') return runFaultAction(rest, flags, io);
  if (action === 'report') {
    if (rest.length > 0) throw usageError(`gateway report takes no arguments, got "${rest.join(' ')}"`);
    return runReportAction(flags, io);
  }
  if (action !== undefined) throw usageError(`unknown gateway action "${action}"`, 'run `feishu-events gateway` alone, or `gateway fault <kind>`, or `gateway report`');
  const options = resolveGatewayOptions(flags);
  const { startGateway } = await import('../gateway/server.js');
  const { colorLevel, makeChalk } = await import('../report/color.js');
  const c = await makeChalk(colorLevel(io.stderr, io.env));
  const { formatGatewayEvent } = await import('../gateway/log-format.js');

  // Until the domain line is out, events wait: scripts read the first line of stdout to find the gateway.
  let ready = false;
  const early: GatewayEvent[] = [];
  const log = (event: GatewayEvent): void => {
    if (!ready) {
      early.push(event);
      return;
    }
    if (options.json) {
      io.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const line = formatGatewayEvent(event, c);
    if (line !== undefined) io.stderr.write(`${line}\n`);
  };

  const stop = stopRequested(signal);
  const gatewayOptions: GatewayOptions = {
    port: options.port,
    host: options.host,
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.appSecret !== undefined ? { appSecret: options.appSecret } : {}),
    ...(options.fragmentSize !== undefined ? { fragmentSize: options.fragmentSize } : {}),
    redeliver: options.redeliver && options.repush > 0,
    ackTimeoutMs: options.ackTimeoutMs,
    maxRedeliveries: options.repush,
    faults: options.faults,
    clientConfig: options.clientConfig,
    pick: options.pick,
    onEvent: log,
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway(gatewayOptions);
  } catch (error) {
    stop.dispose();
    if (error instanceof UserError) throw error;
    listenError(error, options);
  }

  try {
    if (options.json) {
      ready = true;
      for (const event of early.splice(0)) log(event);
    } else {
      await writeOut(io.stdout, `${gateway.domain}\n`);
      const auth = options.appId !== undefined || options.appSecret !== undefined ? `only ${options.appId ?? 'any app id'}${options.appSecret !== undefined ? ' with its secret' : ''}` : 'any app id and secret';
      io.stderr.write(
        `${c.bold('feishu-events gateway')} on ${c.cyan(gateway.domain)}\n` +
          `  apps:    new WSClient({ appId, appSecret, domain: '${gateway.domain}' })  (${auth})\n` +
          `  push:    feishu-events replay --gateway ${gateway.domain} [events…]\n` +
          `  acks:    ${options.ackTimeoutMs} ms to ack with code 200, then ${options.redeliver && options.repush > 0 ? `re-push (at most ${options.repush} times)` : 'no re-push'}` +
          `${options.fragmentSize !== undefined ? ` · fragments of ${options.fragmentSize} B` : ''} · ${options.pick}\n` +
          `  faults:  feishu-events gateway fault <kind> --gateway ${gateway.domain}` +
          `${options.faults.length > 0 ? ` · at start: ${options.faults.map(formatFaultSpec).join(', ')}` : ''}\n` +
          `  ${c.dim('Ctrl-C to stop')}\n`,
      );
      ready = true;
      // The `listening` event says what the banner just said; the rest (start-up faults) goes to the log.
      for (const event of early.splice(0)) if (event.type !== 'listening') log(event);
    }
    await stop.promise;
  } finally {
    stop.dispose();
    await gateway.close();
  }
  return 0;
}
