/**
 * The gateway's control API: how `replay --gateway` (and your own scripts) push events through a running gateway.
 * Served on the gateway's own HTTP port under `/_feishu-events/`; JSON in, JSON out, snake_case fields.
 *
 * - `GET  /_feishu-events/`                → `{ name, version, domain, ws_path, client_config, ack_timeout_ms, redeliver, fragment_size, clients, open_api, calls }`
 * - `GET  /_feishu-events/clients?wait=ms` → `{ clients: ClientInfo[] }`; with `wait`, answers as soon as one client is
 *                                            connected or after `wait` ms (a long poll, at most 10 minutes)
 * - `POST /_feishu-events/push`            ← `{ envelope, fragment_size?, timeout_ms? }`
 *                                          → 200 `PushResult` once the first ack is in or `timeout_ms` (default: the ack
 *                                            timeout) has passed; 503 `{ error: "no_client" }` when no client is
 *                                            connected; 400 `{ error: "bad_request" }`
 * - `GET  /_feishu-events/pushes`          → `{ pushes: PushRecord[] }`: recent pushes with every attempt and ack
 * - `GET  /_feishu-events/calls?after=&event_id=&push=`
 *                                          → `{ calls: CallRecord[], last_seq }`: recent calls of apps to the Open API
 *                                            (`/open-apis/…`), each with the event it belongs to; `after` a seq, for
 *                                            only the calls since then
 * - `POST /_feishu-events/fault`           ← `{ fault: "drop" | "refuse-endpoint 3" | ["slow", "500"], client? }`
 *                                          → 200 `{ faults: FaultRecord[] }` (the records it opened); 400 `bad_request`
 *                                            for a fault that does not parse; 409 `{ error: "fault_refused" }` when it
 *                                            cannot be injected now (no such client, none connected, restarting)
 * - `GET  /_feishu-events/faults`          → `{ faults: FaultRecord[] }`: the resilience report so far
 *
 * What a web page could send is refused (the server checks the Origin before any route): a POST must say
 * `content-type: application/json` (415 otherwise — a page cannot send that cross-origin without a preflight,
 * which the gateway never grants); a body over 8 MiB gets 413; `timeout_ms` is at most 2^31-1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientConfig } from '../protocol/frame.js';
import { MAX_TIMER_MS } from '../limits.js';
import { FaultSpecError, parseFaultSpec, type FaultSpec } from './fault-spec.js';
import { isJsonContentType, sendJson as sendJsonWith } from './http-guard.js';
import type { CallFilter, CallRecord } from './open-api/types.js';
import { FaultError, NoClientError, type ClientInfo, type FaultRecord, type PushOptions, type PushRecord, type PushResult } from './types.js';

export const CONTROL_PREFIX = '/_feishu-events/';

/** Request bodies larger than this are refused with 413: an event envelope is a few KB. */
export const BODY_LIMIT = 8 * 1024 * 1024;
const MAX_WAIT_MS = 600_000;

export interface ControlInfo {
  name: 'feishu-events gateway';
  version: string;
  domain: string;
  ws_path: string;
  client_config: ClientConfig;
  ack_timeout_ms: number;
  redeliver: boolean;
  fragment_size: number | null;
  /** Re-pushes of one event at most (0 when re-push is off). */
  repush: number;
  clients: number;
  /** Where apps' `Client({ domain })` calls land: `{domain}/open-apis/`. */
  open_api: string;
  /** The seq of the last Open API call recorded (0: none yet): `GET calls?after=<it>` lists the calls since. */
  calls: number;
}

export interface ControlTarget {
  info(): ControlInfo;
  clients(): ClientInfo[];
  waitForClient(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  push(envelope: unknown, options?: PushOptions): Promise<PushResult>;
  pushes(): PushRecord[];
  calls(filter?: CallFilter): CallRecord[];
  lastCallSeq(): number;
  fault(spec: FaultSpec, client?: string): Promise<FaultRecord[]>;
  faults(): FaultRecord[];
}

class BadRequest extends Error {}

/** A body over the limit: answered 413, and the connection is closed rather than the rest read. */
export class PayloadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

/** Answer 413 without reading the rest of the body, then close the connection (the client may still be sending). */
export function sendTooLarge(res: ServerResponse, limit: number): void {
  if (res.headersSent || res.destroyed) return;
  sendJsonWith(res, 413, { error: 'payload_too_large', message: `the body is larger than ${limit} bytes` }, { connection: 'close' });
}

/** The control API's answers are never cached: they describe the gateway at this moment. */
function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendJsonWith(res, status, value, { 'cache-control': 'no-store' });
}

/** The body as text; rejects with PayloadTooLarge as soon as it is known to be over `limit` (before reading it all). */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new PayloadTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new PayloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function optionalPositiveInteger(body: Record<string, unknown>, key: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new BadRequest(`${key} must be a whole number ≥ 1`);
  if (value > max) throw new BadRequest(`${key} must be at most ${max}`);
  return value;
}

/** The request body as a JSON object, or BadRequest with `expected`. */
/** A POST without `content-type: application/json`: what a web page can send cross-origin without a preflight. */
class UnsupportedMediaType extends Error {}

async function readJsonObject(req: IncomingMessage, expected: string): Promise<Record<string, unknown>> {
  if (!isJsonContentType(req.headers['content-type'])) throw new UnsupportedMediaType('send the body with content-type: application/json');
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (error) {
    throw error instanceof BadRequest || error instanceof PayloadTooLarge ? error : new BadRequest('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest(expected);
  return body as Record<string, unknown>;
}

/** An abort signal that fires when the caller goes away, so that a long poll does not outlive its request. */
function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

/** Handle a request under CONTROL_PREFIX. */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, url: URL, target: ControlTarget): Promise<void> {
  const route = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  try {
    if (route === '' && method === 'GET') return sendJson(res, 200, target.info());
    if (route === 'clients' && method === 'GET') {
      const waitText = url.searchParams.get('wait');
      if (waitText !== null) {
        const wait = Number(waitText);
        if (!Number.isFinite(wait) || wait < 0) throw new BadRequest('wait must be a number of milliseconds ≥ 0');
        await target.waitForClient(Math.min(wait, MAX_WAIT_MS), abortOnClose(res));
      }
      return sendJson(res, 200, { clients: target.clients() });
    }
    if (route === 'pushes' && method === 'GET') return sendJson(res, 200, { pushes: target.pushes() });
    if (route === 'calls' && method === 'GET') {
      const afterText = url.searchParams.get('after');
      const after = afterText === null ? undefined : Number(afterText);
      if (after !== undefined && (!Number.isInteger(after) || after < 0)) throw new BadRequest('after must be a call seq, a whole number ≥ 0');
      const eventId = url.searchParams.get('event_id');
      const push = url.searchParams.get('push');
      const lastSeq = target.lastCallSeq();
      const calls = target.calls({ ...(after !== undefined ? { after } : {}), ...(eventId ? { eventId } : {}), ...(push ? { push } : {}) });
      return sendJson(res, 200, { calls, last_seq: lastSeq });
    }
    if (route === 'faults' && method === 'GET') return sendJson(res, 200, { faults: target.faults() });
    if (route === 'fault' && method === 'POST') {
      const fields = await readJsonObject(req, 'expected {"fault": "drop", "client": "client-1"}');
      const words = fields.fault;
      if (typeof words !== 'string' && !(Array.isArray(words) && words.every((w) => typeof w === 'string'))) {
        throw new BadRequest('"fault" must be a string such as "refuse-endpoint 3", or an array of words');
      }
      if (fields.client !== undefined && typeof fields.client !== 'string') throw new BadRequest('"client" must be a client id such as "client-1"');
      let spec: FaultSpec;
      try {
        spec = parseFaultSpec(words as string | string[]);
      } catch (error) {
        throw error instanceof FaultSpecError ? new BadRequest(error.message) : error;
      }
      return sendJson(res, 200, { faults: await target.fault(spec, fields.client as string | undefined) });
    }
    if (route === 'push' && method === 'POST') {
      const fields = await readJsonObject(req, 'expected {"envelope": {…}}');
      if (typeof fields.envelope !== 'object' || fields.envelope === null) throw new BadRequest('"envelope" must be the event envelope, a JSON object');
      const fragmentSize = optionalPositiveInteger(fields, 'fragment_size');
      const timeoutMs = optionalPositiveInteger(fields, 'timeout_ms', MAX_TIMER_MS);
      const result = await target.push(fields.envelope, {
        ...(fragmentSize !== undefined ? { fragmentSize } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      return sendJson(res, 200, result);
    }
    const known = ['', 'clients', 'pushes', 'push', 'calls', 'fault', 'faults'].includes(route);
    return sendJson(res, known ? 405 : 404, { error: known ? 'method_not_allowed' : 'not_found', message: `${method} ${url.pathname}` });
  } catch (error) {
    if (error instanceof NoClientError) return sendJson(res, 503, { error: 'no_client', message: error.message });
    if (error instanceof BadRequest) return sendJson(res, 400, { error: 'bad_request', message: error.message });
    if (error instanceof FaultError) return sendJson(res, 409, { error: 'fault_refused', message: error.message });
    if (error instanceof PayloadTooLarge) return sendTooLarge(res, error.limit);
    if (error instanceof UnsupportedMediaType) return sendJson(res, 415, { error: 'unsupported_media_type', message: error.message });
    // The push's own checks (a fragment size, too many fragments) are about the request.
    if (error instanceof RangeError) return sendJson(res, 400, { error: 'bad_request', message: error.message });
    throw error;
  }
}
