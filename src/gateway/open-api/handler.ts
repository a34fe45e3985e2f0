// The gateway's local Open API under /open-apis/: access tokens, the calls a bot makes, faults; every call recorded
// with the event it belongs to.
import { isRecord } from '../../protocol/envelope-fields.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatFaultSpec } from '../fault-spec.js';
import type { GatewayEvent } from '../types.js';
import { createEventLinks, type NamedId } from './event-links.js';
import { maskToken, newId } from './ids.js';
import { loadSdkApis, templateParams, type KnownApis } from './known-apis.js';
import { createMessageBook, fieldViolation, matchRoute, success, type CallContext, type RouteAnswer } from './routes.js';
import { createTokenStore, TokenCode } from './tokens.js';
import type { FaultSpec } from '../fault-spec.js';
import type { CallEventLink, CallFilter, CallRecord, OpenApiFault } from './types.js';

export const OPEN_API_PREFIX = '/open-apis/';

const TOKEN_PATHS = {
  tenantInternal: '/open-apis/auth/v3/tenant_access_token/internal',
  appInternal: '/open-apis/auth/v3/app_access_token/internal',
  tenant: '/open-apis/auth/v3/tenant_access_token',
  app: '/open-apis/auth/v3/app_access_token',
  ticketResend: '/open-apis/auth/v3/app_ticket/resend',
} as const;

/** Images and files go up as multipart bodies; the platform's limit for a file is 30 MB. */
const BODY_LIMIT = 32 * 1024 * 1024;
const SECRET_KEY = /secret|token|ticket|password|assertion/i;

export interface OpenApiOptions {
  /** When set, token requests for another app id are refused (code 10003), as discovery refuses them. */
  appId?: string;
  /** When set, token requests with another secret are refused (code 10014). Never logged. */
  appSecret?: string;
  /** Lifetime of issued tokens, in seconds (default 7200, the platform's). */
  tokenTtlSeconds?: number;
  /** Calls kept for `calls()` (default 5000). */
  historyLimit?: number;
  /** Every call, as it is answered. */
  emit: (event: GatewayEvent) => void;
  /** The APIs that exist (default: the installed official SDK's table). */
  knownApis?: KnownApis;
  /**
   * Push an event to the app's clients (`app_ticket/resend` makes the platform push an `app_ticket` event). Resolves
   * false when no client of the app is connected.
   */
  pushEvent?: (appId: string, envelope: unknown) => boolean;
}

export interface OpenApi {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Index an event that is about to be pushed, so that calls naming its ids are tied to it. */
  noteEnvelope(envelope: unknown): void;
  /** Follow the gateway's pushes and acks: which delivery is in flight. */
  observe(event: GatewayEvent): void;
  calls(filter?: CallFilter): CallRecord[];
  /** The `seq` of the last call (0 before any). */
  lastSeq(): number;
  /** Put an Open API fault in force (`api-*` kinds); `api-token-expired` acts at once. Returns how many tokens it revoked, or 0. */
  addFault(id: string, spec: FaultSpec): number;
  faults(): OpenApiFault[];
  /** End every standing fault; returns how many there were. */
  clearFaults(): number;
  close(): void;
}

class BodyTooLarge extends Error {}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A copy with every credential and token replaced: records and logs never hold one. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return '…';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && typeof item === 'string') out[key] = item.startsWith('t-') || item.startsWith('a-') ? maskToken(item) : '<redacted>';
    else out[key] = redact(item, depth + 1);
  }
  return out;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

const authError = (code: number, message: string): RouteAnswer => ({
  status: 400,
  body: {
    code,
    msg: message,
    error: { log_id: newId.log(), troubleshooter: `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&code=${code}` },
  },
});

const tokenFailure = (code: number, msg: string): RouteAnswer => ({ status: 200, body: { code, msg } });

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export function createOpenApi(options: OpenApiOptions): OpenApi {
  const tokens = createTokenStore(options.tokenTtlSeconds ?? 7200);
  const links = createEventLinks();
  const messages = createMessageBook();
  const historyLimit = options.historyLimit ?? 5000;
  const tenantKey = randomBytes(8).toString('hex');
  let known: KnownApis | undefined = options.knownApis;
  const records: CallRecord[] = [];
  const tickets = new Map<string, number>();
  let seq = 0;
  let faults: OpenApiFault[] = [];
  const closing = new AbortController();

  const knownApis = (): KnownApis => (known ??= loadSdkApis());

  /** The fault that shapes this call, if any, counting it as used. */
  const takeFault = (path: string, isToken: boolean, kinds: readonly string[]): OpenApiFault | undefined => {
    const fault = faults.find((f) => kinds.includes(f.kind) && f.count !== f.used && (f.path !== undefined ? path.includes(f.path) : !isToken));
    if (fault === undefined) return undefined;
    fault.used++;
    if (fault.count > 0 && fault.used >= fault.count) faults = faults.filter((f) => f !== fault);
    return fault;
  };

  const faultAnswer = (fault: OpenApiFault): RouteAnswer => {
    if (fault.kind === 'api-rate-limit') {
      const code = fault.code ?? 99991400;
      const message = code === 99991400 ? 'request trigger frequency limit' : 'This operation triggers the frequency limit. Reduce the request frequency and try again later.';
      return { status: code === 99991400 ? 429 : 400, body: { code, msg: message, error: { log_id: newId.log() } } };
    }
    const status = fault.status ?? 500;
    return { status, body: { code: status, msg: status === 504 ? 'Gateway Timeout' : 'Internal Server Error', error: { log_id: newId.log() } } };
  };

  const tokenAnswer = (path: string, body: Record<string, unknown> | undefined): { answer: RouteAnswer; appId?: string } => {
    if (path === TOKEN_PATHS.ticketResend) {
      // The platform answers, then pushes the app a fresh `app_ticket` event (marketplace apps need it for their tokens).
      const appId = typeof body?.app_id === 'string' ? body.app_id : '';
      if (!/^cli_[0-9a-zA-Z]+$/.test(appId) || typeof body?.app_secret !== 'string' || body.app_secret === '') return { appId, answer: tokenFailure(10003, 'invalid param') };
      const ticket = randomBytes(12).toString('hex');
      tickets.set(`${appId} ${ticket}`, Date.now());
      if (tickets.size > 10_000) tickets.delete(tickets.keys().next().value as string);
      const envelope = {
        ts: (Date.now() / 1000).toFixed(6),
        uuid: randomBytes(16).toString('hex'),
        token: '',
        type: 'event_callback',
        event: { type: 'app_ticket', app_id: appId, app_ticket: ticket },
      };
      // After the answer, as the platform does: the push is a separate event.
      setImmediate(() => options.pushEvent?.(appId, envelope));
      return { appId, answer: { status: 200, body: { code: 0, msg: 'ok' } } };
    }
    if (path === TOKEN_PATHS.tenant) {
      // The marketplace app's exchange: an app access token and a tenant key for a tenant token.
      const appToken = typeof body?.app_access_token === 'string' ? body.app_access_token : '';
      const check = tokens.check(`Bearer ${appToken}`);
      if (!check.ok || check.token.kind !== 'app') return { answer: tokenFailure(TokenCode.appInvalid, 'invalid app access token') };
      const key = typeof body?.tenant_key === 'string' && body.tenant_key !== '' ? body.tenant_key : tenantKey;
      const issued = tokens.issue('tenant', check.token.appId, key);
      return { appId: check.token.appId, answer: { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: tokens.ttlSeconds } } };
    }
    const appId = typeof body?.app_id === 'string' ? body.app_id : '';
    const secret = typeof body?.app_secret === 'string' ? body.app_secret : '';
    // The platform answers HTTP 200 and puts the refusal in `code`: 10003 for a malformed or unknown app id.
    if (!/^cli_[0-9a-zA-Z]+$/.test(appId) || secret === '') return { appId, answer: tokenFailure(10003, 'invalid param') };
    if (options.appId !== undefined && appId !== options.appId) return { appId, answer: tokenFailure(10003, 'invalid param') };
    if (options.appSecret !== undefined && secret !== options.appSecret) return { appId, answer: tokenFailure(10014, 'app secret invalid') };
    // A marketplace app's app access token needs a ticket the gateway pushed to it (after app_ticket/resend).
    if (path === TOKEN_PATHS.app && !tickets.has(`${appId} ${typeof body?.app_ticket === 'string' ? body.app_ticket : ''}`)) return { appId, answer: tokenFailure(10012, 'app ticket invalid') };
    if (path === TOKEN_PATHS.tenantInternal) {
      const issued = tokens.issue('tenant', appId, tenantKey);
      return { appId, answer: { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: tokens.ttlSeconds } } };
    }
    const issued = tokens.issue('app', appId);
    return { appId, answer: { status: 200, body: { code: 0, msg: 'ok', app_access_token: issued.token, expire: tokens.ttlSeconds } } };
  };

  const record = (call: CallRecord): void => {
    records.push(call);
    if (records.length > historyLimit) records.splice(0, records.length - historyLimit);
    options.emit({ type: 'call', ...call });
  };

  const send = (res: ServerResponse, answer: RouteAnswer, extraHeaders: Record<string, string> = {}): void => {
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-tt-logid': newId.log(),
      ...extraHeaders,
    });
    res.end(text);
  };

  return {
    async handle(req, res, url) {
      const started = performance.now();
      const at = new Date().toISOString();
      const method = (req.method ?? 'GET').toUpperCase();
      const path = url.pathname;
      let raw: Buffer;
      try {
        raw = await readRaw(req, BODY_LIMIT);
      } catch (error) {
        if (error instanceof BodyTooLarge) return send(res, { status: 413, body: '413 Request Entity Too Large' }, { connection: 'close' });
        throw error;
      }
      const contentType = String(req.headers['content-type'] ?? '');
      let body: Record<string, unknown> | undefined;
      let recordedBody: unknown;
      let badJson = false;
      if (raw.length > 0) {
        if (contentType === '' || contentType.includes('json')) {
          try {
            const parsed = JSON.parse(raw.toString('utf8')) as unknown;
            body = isRecord(parsed) ? parsed : undefined;
            recordedBody = redact(parsed);
          } catch {
            badJson = true;
            recordedBody = { _bytes: raw.length, _type: contentType || 'unknown' };
          }
        } else {
          recordedBody = { _bytes: raw.length, _type: contentType.split(';')[0] };
        }
      }

      const base = { at, method, path, query: queryObject(url.searchParams), ...(recordedBody !== undefined ? { body: recordedBody } : {}) };
      const finish = (call: Omit<CallRecord, 'seq' | 'at' | 'method' | 'path' | 'query' | 'ms' | 'code' | 'answer' | 'body' | 'status'>, answer: RouteAnswer, headers?: Record<string, string>): void => {
        send(res, answer, headers);
        const answerBody = isRecord(answer.body) ? answer.body : undefined;
        record({
          seq: ++seq,
          ...base,
          ...call,
          status: answer.status,
          code: typeof answerBody?.code === 'number' ? answerBody.code : -1,
          answer: redact(answer.body),
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
      };

      const isToken = Object.values(TOKEN_PATHS).includes(path as never) && method === 'POST';
      if (isToken) {
        const slow = takeFault(path, true, ['api-slow']);
        if (slow !== undefined) await delay(slow.ms ?? 0, closing.signal);
        const fault = takeFault(path, true, ['api-rate-limit', 'api-5xx']);
        const link = links.link(undefined, []);
        const { answer, appId } = fault !== undefined ? { answer: faultAnswer(fault), appId: typeof body?.app_id === 'string' ? body.app_id : undefined } : tokenAnswer(path, body);
        return finish(
          {
            ...(appId ? { app_id: appId } : {}),
            kind: 'token',
            api: `auth.v3.${path.split('/')[4] ?? 'token'}`,
            ...faultFields(fault ?? slow),
            ...(link !== undefined ? { event: link } : {}),
          },
          answer,
          fault?.kind === 'api-rate-limit' ? rateLimitHeaders() : undefined,
        );
      }

      const explicit = matchRoute(method, path);
      const template = explicit === undefined ? knownApis().match(method, path) : undefined;
      if (explicit === undefined && template === undefined && knownApis().size > 0) {
        // The platform answers an unknown path (or a known path with the wrong method) with a plain-text 404.
        const who = tokens.check(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
        const appId = who.ok ? who.token.appId : undefined;
        const link = links.link(appId, pathIds(path));
        return finish(
          { ...(appId !== undefined ? { app_id: appId } : {}), kind: 'unknown_path', api: `${method} ${path}`, ...(link !== undefined ? { event: link } : {}) },
          { status: 404, body: '404 page not found' },
        );
      }
      const api = explicit?.route.api ?? `${method} ${template?.template ?? path}`;
      const kind = explicit?.route.kind ?? (method === 'GET' ? 'read' : 'other');
      const params = explicit?.params ?? (template !== undefined ? templateParams(template, path) : {});

      const check = tokens.check(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
      if (!check.ok) {
        const message =
          check.code === TokenCode.missing ? 'Missing access token for authorization. Please make a request with token attached.' : 'Invalid access token for authorization. Please make a request with token attached.';
        const link = links.link(undefined, pathIds(path));
        // A token the api-token-expired fault revoked: the call belongs to that fault (the app must fetch a new token).
        const revokedBy = check.reason === 'expired' ? check.revokedBy : undefined;
        return finish({ kind, api, ...(revokedBy !== undefined ? { fault_id: revokedBy, fault: `${revokedBy} api-token-expired` } : {}), ...(link !== undefined ? { event: link } : {}) }, authError(check.code, message));
      }
      const appId = check.token.appId;
      const ctx: CallContext = { method, path, params, query: url.searchParams, body, appId, tenantKey: check.token.tenantKey ?? tenantKey, messages };
      const ids = [...(explicit?.route.ids(ctx) ?? []), ...pathIds(path)];
      const link: CallEventLink | undefined = links.link(appId, ids);
      const target = explicit?.route.target(ctx);
      const text = explicit?.route.text(ctx);
      const described = {
        app_id: appId,
        kind,
        api,
        ...(target !== undefined ? { target } : {}),
        ...(text !== undefined ? { text } : {}),
        ...(link !== undefined ? { event: link } : {}),
      };

      const slow = takeFault(path, false, ['api-slow']);
      if (slow !== undefined) await delay(slow.ms ?? 0, closing.signal);
      const fault = takeFault(path, false, ['api-rate-limit', 'api-5xx']);
      if (fault !== undefined) return finish({ ...described, ...faultFields(fault) }, faultAnswer(fault), fault.kind === 'api-rate-limit' ? rateLimitHeaders() : undefined);

      let answer: RouteAnswer;
      if (badJson) answer = fieldViolation('body', 'the body is not valid JSON');
      else if (explicit !== undefined) answer = explicit.route.answer(ctx);
      else answer = success({});
      if (link !== undefined) for (const id of answer.created ?? []) links.noteCreated(id, link);
      return finish({ ...described, ...(answer.repeatOf !== undefined ? { repeat_of: answer.repeatOf } : {}), ...faultFields(slow) }, answer);
    },

    noteEnvelope(envelope) {
      links.noteEnvelope(envelope);
      messages.noteEnvelope(envelope);
    },

    observe: (event) => links.observe(event),

    calls(filter = {}) {
      return records.filter(
        (c) =>
          (filter.after === undefined || c.seq > filter.after) &&
          (filter.eventId === undefined || c.event?.event_id === filter.eventId) &&
          (filter.push === undefined || c.event?.push === filter.push),
      );
    },

    lastSeq: () => seq,

    addFault(id, spec) {
      if (spec.kind === 'api-token-expired') return tokens.revokeAll(id);
      if (spec.kind !== 'api-rate-limit' && spec.kind !== 'api-5xx' && spec.kind !== 'api-slow') return 0;
      faults.push({
        id,
        kind: spec.kind,
        spec: formatFaultSpec(spec),
        count: spec.count,
        used: 0,
        ...(spec.path !== undefined ? { path: spec.path } : {}),
        ...(spec.kind === 'api-rate-limit' ? { code: spec.code } : {}),
        ...(spec.kind === 'api-5xx' ? { status: spec.status } : {}),
        ...(spec.kind === 'api-slow' ? { ms: spec.ms } : {}),
      });
      return 0;
    },

    faults: () => faults.map((f) => ({ ...f })),

    clearFaults() {
      const n = faults.length;
      faults = [];
      return n;
    },

    close() {
      closing.abort();
    },
  };
}

/** Message ids in the path (`…/messages/om_…/…`): a call that names one belongs to the event that carried it. */
function pathIds(path: string): NamedId[] {
  return path
    .split('/')
    .filter((s) => /^om_[0-9A-Za-z]+$/.test(s))
    .map((id) => ({ id, by: 'message_id' as const }));
}

function rateLimitHeaders(): Record<string, string> {
  // The limit per window and the seconds until it resets, as the platform's gateway says them.
  return { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' };
}

function faultFields(fault: OpenApiFault | undefined): { fault?: string; fault_id?: string } {
  return fault === undefined ? {} : { fault: `${fault.id} ${fault.spec}`, fault_id: fault.id };
}
