// The faults a gateway can inject, as words: `drop`, `refuse-endpoint 3 reset`, `slow 500`. One parser for the
// command line (`gateway --fault`, `gateway fault`, `replay --fault-every`) and the control API. No imports.

/** How a refused endpoint request fails. `mixed` takes turns: 5xx, error code in the body, connection reset. */
export type EndpointRefusal = 'mixed' | '5xx' | 'code' | 'reset';

export type FaultSpec =
  | { kind: 'drop' }
  | { kind: 'close' }
  | { kind: 'half-open' }
  | { kind: 'refuse-endpoint'; count: number; how: EndpointRefusal; code: number }
  | { kind: 'refuse-handshake'; status: number; count: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'restart'; pauseMs: number }
  | { kind: 'clear' }
  // The Open API (/open-apis/): the next `count` calls (0: every call until `clear`), optionally only on paths with `path`.
  | { kind: 'api-rate-limit'; count: number; code: number; path?: string }
  | { kind: 'api-5xx'; count: number; status: number; path?: string }
  | { kind: 'api-slow'; ms: number; count: number; path?: string }
  | { kind: 'api-token-expired' };

export type FaultKind = FaultSpec['kind'];

/** The discovery code a refused endpoint request carries by default: internal error, the one every SDK retries on. */
export const REFUSAL_CODE = 1000040343;
export const DEFAULT_RESTART_PAUSE_MS = 1000;
/** The platform's code for a call over the gateway-wide rate limit (HTTP 429); 230020 is the per-chat message limit. */
export const RATE_LIMIT_CODE = 99991400;

export const FAULT_KINDS: readonly FaultKind[] = [
  'drop',
  'close',
  'half-open',
  'refuse-endpoint',
  'refuse-handshake',
  'slow',
  'restart',
  'clear',
  'api-rate-limit',
  'api-5xx',
  'api-slow',
  'api-token-expired',
];

/** Faults of the gateway's Open API rather than of the long connection. */
export const API_FAULTS: readonly FaultKind[] = ['api-rate-limit', 'api-5xx', 'api-slow', 'api-token-expired'];

/** Faults that hit connected clients (and take `--client`); the others act on the gateway as a whole. */
export const CLIENT_FAULTS: readonly FaultKind[] = ['drop', 'close', 'half-open', 'slow', 'clear'];

export const FAULT_USAGE =
  'drop | close | half-open | refuse-endpoint <n> [mixed|5xx|code|code=<n>|reset] | refuse-handshake <status> [<n>] | slow <ms> | restart [<pause-ms>] | clear' +
  ' | api-rate-limit [<n>] [code=<c>] [path=<p>] | api-5xx [<n>] [<status>] [path=<p>] | api-slow <ms> [<n>] [path=<p>] | api-token-expired';

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

function whole(what: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new FaultSpecError(`${what} must be a whole number, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  const value = Number(text);
  if (value < min || value > max) throw new FaultSpecError(`${what} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/**
 * Parse a fault: words as given on a command line (`['refuse-endpoint', '3']`), or one string whose words are
 * separated by spaces or colons (`refuse-endpoint:3`, `"slow 500"`). Throws FaultSpecError with a one-line reason.
 */
export function parseFaultSpec(input: string | readonly string[]): FaultSpec {
  const words = (typeof input === 'string' ? [input] : input).flatMap((w) => w.split(/[\s:]+/)).filter((w) => w !== '');
  const [kind, ...args] = words;
  const maxArgs = (n: number): void => {
    if (args.length > n) throw new FaultSpecError(`${kind} takes ${n === 0 ? 'no arguments' : `at most ${n}`}, got "${args.join(' ')}"`);
  };
  switch (kind) {
    case 'drop':
    case 'close':
    case 'half-open':
    case 'clear':
      maxArgs(0);
      return { kind };
    case 'refuse-endpoint': {
      maxArgs(2);
      const count = whole('refuse-endpoint <n>', args[0], 1, 1_000_000);
      const how = args[1] ?? 'mixed';
      const code = /^code=(\d+)$/.exec(how);
      if (code) return { kind, count, how: 'code', code: whole('code=<n>', code[1], 1, Number.MAX_SAFE_INTEGER) };
      if (how !== 'mixed' && how !== '5xx' && how !== 'code' && how !== 'reset') throw new FaultSpecError(`refuse-endpoint: how must be mixed, 5xx, code, code=<n> or reset, got "${how}"`);
      return { kind, count, how, code: REFUSAL_CODE };
    }
    case 'refuse-handshake': {
      maxArgs(2);
      const status = whole('refuse-handshake <status>', args[0], 400, 599);
      return { kind, status, count: args[1] === undefined ? 1 : whole('refuse-handshake <n>', args[1], 1, 1_000_000) };
    }
    case 'slow':
      maxArgs(1);
      return { kind, ms: whole('slow <ms>', args[0], 0, 600_000) };
    case 'restart':
      maxArgs(1);
      return { kind, pauseMs: args[0] === undefined ? DEFAULT_RESTART_PAUSE_MS : whole('restart <pause-ms>', args[0], 0, 600_000) };
    case 'api-rate-limit':
    case 'api-5xx':
    case 'api-slow': {
      // Words: numbers in order (api-slow: <ms> first), then key=value options.
      const numbers = args.filter((a) => !a.includes('='));
      const options = new Map(args.filter((a) => a.includes('=')).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const));
      for (const key of options.keys()) if (key !== 'path' && !(kind === 'api-rate-limit' && key === 'code')) throw new FaultSpecError(`${kind}: unknown option "${key}="`);
      const path = options.get('path');
      if (path !== undefined && path === '') throw new FaultSpecError(`${kind}: path= needs a part of a path, e.g. path=/im/v1/messages`);
      const withPath = path !== undefined ? { path } : {};
      if (kind === 'api-slow') {
        if (numbers.length > 2) throw new FaultSpecError(`api-slow takes <ms> and at most a count, got "${numbers.join(' ')}"`);
        return { kind, ms: whole('api-slow <ms>', numbers[0], 0, 600_000), count: numbers[1] === undefined ? 0 : whole('api-slow <n>', numbers[1], 1, 1_000_000), ...withPath };
      }
      if (numbers.length > (kind === 'api-5xx' ? 2 : 1)) throw new FaultSpecError(`${kind} takes ${kind === 'api-5xx' ? 'a count and a status' : 'a count'}, got "${numbers.join(' ')}"`);
      const count = numbers[0] === undefined ? 1 : whole(`${kind} <n>`, numbers[0], 1, 1_000_000);
      if (kind === 'api-5xx') return { kind, count, status: numbers[1] === undefined ? 500 : whole('api-5xx <status>', numbers[1], 500, 599), ...withPath };
      const code = options.get('code');
      return { kind, count, code: code === undefined ? RATE_LIMIT_CODE : whole('code=<c>', code, 1, Number.MAX_SAFE_INTEGER), ...withPath };
    }
    case 'api-token-expired':
      maxArgs(0);
      return { kind };
    case undefined:
      throw new FaultSpecError(`no fault given: ${FAULT_USAGE}`);
    default:
      throw new FaultSpecError(`unknown fault "${kind}": ${FAULT_USAGE}`);
  }
}

/** The spec as words again: `refuse-endpoint 3 mixed`. */
export function formatFaultSpec(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'refuse-endpoint':
      return `refuse-endpoint ${spec.count} ${spec.how === 'code' && spec.code !== REFUSAL_CODE ? `code=${spec.code}` : spec.how}`;
    case 'refuse-handshake':
      return `refuse-handshake ${spec.status}${spec.count !== 1 ? ` ${spec.count}` : ''}`;
    case 'slow':
      return `slow ${spec.ms}`;
    case 'restart':
      return `restart ${spec.pauseMs}`;
    case 'api-rate-limit':
      return `api-rate-limit ${spec.count}${spec.code !== RATE_LIMIT_CODE ? ` code=${spec.code}` : ''}${spec.path !== undefined ? ` path=${spec.path}` : ''}`;
    case 'api-5xx':
      return `api-5xx ${spec.count} ${spec.status}${spec.path !== undefined ? ` path=${spec.path}` : ''}`;
    case 'api-slow':
      return `api-slow ${spec.ms}${spec.count > 0 ? ` ${spec.count}` : ''}${spec.path !== undefined ? ` path=${spec.path}` : ''}`;
    default:
      return spec.kind;
  }
}
