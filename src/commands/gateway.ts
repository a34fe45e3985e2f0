import { isIP } from 'node:net';
import { flagOrProfile, loadDotenv, loadSettingSources, resolveSetting, type SettingSources } from '../config.js';
import { usageError } from '../errors.js';
import { durationFlag, httpUrl, oneOf, str, wholeNumber } from '../flags.js';
import { FaultSpecError, parseFaultSpec, type FaultSpec } from '../gateway/fault-spec.js';
import type { ClientPick } from '../gateway/types.js';
import type { CommandIO } from '../io.js';
import type { GatewayServiceOptions } from '../services/gateway.js';
import { MAX_TIMER_MS } from '../limits.js';

/** Intervals given to clients in seconds become their timers in ms: no longer than a timer can be. */
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

const PICKS: readonly ClientPick[] = ['round-robin', 'random'];

function checkHost(raw: string): string {
  const host = raw.trim();
  // An IP address or a host name; no scheme, port or path.
  if (host === '' || (isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/.test(host))) {
    throw usageError(`--host: "${raw}" is not an IP address or a host name`, 'e.g. --host 127.0.0.1 (default) or --host 0.0.0.0 to accept other machines');
  }
  return host;
}

/** Flags (and the profile's app id and secret) → a complete, checked options object. */
export function resolveGatewayOptions(flags: Record<string, unknown>, sources?: SettingSources): GatewayServiceOptions {
  const fragmentText = str(flags.fragmentSize);
  const ackTimeoutMs = durationFlag('--ack-timeout', str(flags.ackTimeout), 3000);
  const pick = oneOf('--pick', str(flags.pick), PICKS, 'round-robin');
  const appId = sources ? flagOrProfile(str(flags.appId), 'FEISHU_APP_ID', sources) : str(flags.appId);
  const appSecret = sources ? flagOrProfile(str(flags.appSecret), 'FEISHU_APP_SECRET', sources) : str(flags.appSecret);
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
      PingInterval: wholeNumber('--ping-interval', str(flags.pingInterval), 120, 1, MAX_TIMER_SECONDS),
      ReconnectCount: wholeNumber('--reconnect-count', str(flags.reconnectCount), -1, -1),
      ReconnectInterval: wholeNumber('--reconnect-interval', str(flags.reconnectInterval), 120, 1, MAX_TIMER_SECONDS),
      ReconnectNonce: wholeNumber('--reconnect-nonce', str(flags.reconnectNonce), 30, 0, MAX_TIMER_SECONDS),
    },
    pick,
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

function controlDomain(flags: Record<string, unknown>, io: CommandIO): string {
  const raw = resolveSetting(str(flags.gateway), 'FEISHU_EVENTS_GATEWAY', { env: io.env, dotenv: loadDotenv(io.cwd) }, '').value;
  if (raw === '') {
    throw usageError('which gateway? pass --gateway <domain> (or set FEISHU_EVENTS_GATEWAY)', 'the domain is the first line `feishu-events gateway` prints, e.g. http://127.0.0.1:PORT');
  }
  return httpUrl('--gateway', raw, 'e.g. --gateway http://127.0.0.1:PORT').origin;
}

/** `gateway fault <kind> [args…] [--client id]`: words and flags → the control service's options. */
async function runFaultAction(words: string[], flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const spec = parseFault(words, 'gateway fault');
  const domain = controlDomain(flags, io);
  const client = str(flags.client);
  const { injectGatewayFault } = await import('../services/gateway-control.js');
  return injectGatewayFault({ domain, spec, ...(client !== undefined ? { client } : {}), json: flags.json === true }, io);
}

/** `gateway report`: flags → the control service's options. */
async function runReportAction(flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const domain = controlDomain(flags, io);
  const { reportGatewayFaults } = await import('../services/gateway-control.js');
  return reportGatewayFaults({ domain, json: flags.json === true }, io);
}

/**
 * `feishu-events gateway`: run until `signal` aborts (cli.ts aborts it on SIGINT/SIGTERM), logging as it goes;
 * `gateway fault …` and `gateway report` talk to a running one. Resolves to the exit code.
 */
export async function runGateway(flags: Record<string, unknown>, io: CommandIO, signal: AbortSignal, actions: string[] = []): Promise<number> {
  const [action, ...rest] = actions;
  if (action === 'fault') return runFaultAction(rest, flags, io);
  if (action === 'report') {
    if (rest.length > 0) throw usageError(`gateway report takes no arguments, got "${rest.join(' ')}"`);
    return runReportAction(flags, io);
  }
  if (action !== undefined) throw usageError(`unknown gateway action "${action}"`, 'run `feishu-events gateway` alone, or `gateway fault <kind>`, or `gateway report`');
  const options = resolveGatewayOptions(flags, loadSettingSources(flags, io));
  const { serveGateway } = await import('../services/gateway.js');
  return serveGateway(options, io, signal);
}
