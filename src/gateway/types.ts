import type { ClientConfig } from '../protocol/frame.js';
import type { CallFilter, CallRecord } from './open-api/types.js';
import type { FaultKind, FaultSpec } from './fault-spec.js';

/** How the gateway picks the one client an event goes to (the platform: cluster mode, one client at random). */
export type ClientPick = 'round-robin' | 'random';

export interface GatewayOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, discovery with another app id gets the platform's auth-failed answer (code 514). */
  appId?: string;
  /** When set, discovery with another secret gets code 514. Never logged. */
  appSecret?: string;
  /** Split every payload into fragments of at most this many bytes (default: one frame per event). */
  fragmentSize?: number;
  /** Re-push an event that is not acked with code 200 within `ackTimeoutMs` (default true, as the platform does). */
  redeliver?: boolean;
  /** How long a client has to ack a push (default 3000, the platform's deadline). */
  ackTimeoutMs?: number;
  /** Re-pushes of one event at most (default 4, the platform's). A missing ack and an ack whose code is not 200 both count. */
  maxRedeliveries?: number;
  /** Faults injected as soon as the gateway listens (more can come later through `fault()` and the control API). */
  faults?: FaultSpec[];
  /** Sent in the discovery answer and in every pong (seconds). Default: the platform's. */
  clientConfig?: Partial<ClientConfig>;
  /** Default round-robin: predictable, and with n clients n events reach each one once. */
  pick?: ClientPick;
  /** For `pick: 'random'`; for tests. */
  random?: () => number;
  /** Every connection, discovery, push and ack, as it happens. */
  onEvent?: (event: GatewayEvent) => void;
  /** Finished pushes kept for `pushes()` and the control API (default 1000); Open API calls: five times as many. */
  historyLimit?: number;
  /** Lifetime of the access tokens the Open API hands out, in seconds (default 7200, the platform's). */
  tokenTtlSeconds?: number;
}

/** A connected WSClient as the control API and the log show it. */
export interface ClientInfo {
  /** `client-1`, `client-2`… in order of connection, never reused while the gateway runs. */
  id: string;
  app_id: string;
  /** `127.0.0.1:54321`. */
  remote: string;
  connected_at: string;
  pushes: number;
  acks: number;
  pings: number;
  /** A `half-open` fault hit it: no pongs, no pushes, its frames are ignored. */
  half_open: boolean;
  /** A `slow` fault: pushes and pongs to it wait this long. */
  slow_ms: number;
}

/** The ack of one push of an event. */
export interface AckRecord {
  /** Which push of the event was acked: 1 the first, 2 and up re-pushes. */
  attempt: number;
  client: string;
  /** `code` from the ack payload: 200 the handler returned; anything else is handled like a missing ack (re-pushed). */
  code: number;
  /** From sending the push to receiving its ack. */
  ack_ms: number;
  /** After the ack deadline of its push, or after the event had expired. */
  late: boolean;
  /** The handler's time as the client reports it in header `biz_rt` (the node SDK sends it negated: we keep its size). */
  handler_ms?: number;
  /** The handler's return value, decoded from the ack's base64 `data`. */
  data?: unknown;
  at: string;
}

export interface PushAttemptRecord {
  attempt: number;
  /** The client it went to. */
  client?: string;
  /** Why this push happened: a re-push's reason, or that it waited for a client. */
  reason?: string;
  seq_ids: number[];
  at: string;
}

/** What became of one event pushed through the gateway. */
export interface PushResult {
  message_id: string;
  event_type?: string;
  event_id?: string;
  /** Some ack came (of any code). */
  acked: boolean;
  /** 200 when some push was acked with it, else the code of the last ack. */
  ack_code?: number;
  /** Acks received, of any code, from every push of the event. */
  ack_count: number;
  ack_ms?: number;
  handler_ms?: number;
  ack_data?: unknown;
  /** The first ack came after the deadline of its push (`ackTimeoutMs`). */
  late?: boolean;
  /** The client that acked; when none did yet, the one that got the first push. */
  client?: string;
  /** Every client the event was pushed to, in order. */
  clients: string[];
  /** Pushes so far (1 + re-pushes). */
  pushes: number;
  redelivered: number;
  fragments: number;
  bytes: number;
  /** From the first push to the first ack, or to the moment this result was taken. */
  total_ms: number;
  /**
   * `pending` waiting for an ack (or, with `held`, for a client), `acked` (code 200), `failed` (every push of it
   * was acked with another code), `expired` (no ack after the last push), `closed` (gateway stopped).
   */
  state: 'pending' | 'acked' | 'failed' | 'expired' | 'closed';
  /** No client was connected when a push of it was due: it waits for the next one. */
  held?: boolean;
}

/** The full record of a push, as `GET /_feishu-events/pushes` lists it. */
export interface PushRecord extends PushResult {
  attempts: PushAttemptRecord[];
  /** The first 100 acks (see MAX_ACKS_PER_PUSH). */
  acks: AckRecord[];
  /** Acks received beyond those kept. */
  acks_dropped?: number;
}

export interface PushOptions {
  /** Override the gateway's fragment size for this event. */
  fragmentSize?: number;
  /** How long `push` waits for the first ack (default: the ack timeout). The gateway keeps re-pushing afterwards. */
  timeoutMs?: number;
}

/** Everything the gateway does, as one object a line in `gateway --json`. Field names are the NDJSON's. */
export type GatewayEvent = { at: string } & (
  | { type: 'listening'; domain: string; ws_path: string; control_api: string }
  | { type: 'discovery'; ok: boolean; app_id: string; code: number; msg?: string; remote: string }
  | { type: 'connected'; client: string; app_id: string; remote: string; clients: number }
  | { type: 'disconnected'; client: string; code: number; reason: string; clients: number }
  | { type: 'rejected'; remote: string; reason: string }
  | { type: 'ping'; client: string }
  | {
      type: 'push';
      message_id: string;
      event_type?: string;
      event_id?: string;
      attempt: number;
      client?: string;
      fragments: number;
      bytes: number;
      /** Why a re-push happened. */
      reason?: string;
    }
  | ({ type: 'ack'; message_id: string; event_type?: string; event_id?: string } & AckRecord)
  | { type: 'held'; message_id: string; event_type?: string; event_id?: string; attempt: number; reason: string }
  | { type: 'expired'; message_id: string; event_type?: string; event_id?: string; pushes: number; redeliver: boolean; last_code?: number }
  | { type: 'fault'; id: string; kind: FaultKind; spec: string; clients: string[] }
  | { type: 'refused'; what: 'endpoint' | 'handshake'; fault: string; how: string; app_id: string; remote: string; left: number }
  | { type: 'restarting'; fault: string; pause_ms: number }
  | { type: 'restarted'; fault: string }
  | ({ type: 'fault_report' } & FaultRecord)
  | { type: 'resilience'; faults: FaultRecord[] }
  | { type: 'frame_error'; client: string; error: string }
  /** A call of the app to the gateway's Open API (`/open-apis/…`), answered and recorded. */
  | ({ type: 'call' } & Omit<CallRecord, 'at'>)
  | { type: 'closed' }
);

/** What a running gateway offers to its owner. */
export interface Gateway {
  /** `http://127.0.0.1:PORT`: what to give to `WSClient({ domain })` and `replay --gateway`. */
  readonly domain: string;
  readonly port: number;
  readonly host: string;
  readonly clientConfig: ClientConfig;
  clients(): ClientInfo[];
  /** Resolves true as soon as a client is connected, false after `timeoutMs` without one. */
  waitForClient(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Push one event to one client; resolves at its first ack or after `timeoutMs`. Throws NoClientError when none is connected. */
  push(envelope: unknown, options?: PushOptions): Promise<PushResult>;
  /** Recent pushes, oldest first (finished ones up to `historyLimit`, plus those still pending). */
  pushes(): PushRecord[];
  /** Recent calls of apps to the Open API under `/open-apis/`, oldest first, each with the event it belongs to. */
  calls(filter?: CallFilter): CallRecord[];
  /** Inject a fault now; `client` limits a client fault to one client. Resolves to the records it opened. Throws FaultError. */
  fault(spec: FaultSpec, client?: string): Promise<FaultRecord[]>;
  /** The resilience report: every fault injected so far and what the clients did. */
  faults(): FaultRecord[];
  /** Stop: close every client connection, the listening socket and every timer. */
  close(): Promise<void>;
}

/** One event in a fault's report: in flight when the fault hit, or pushed before the client was receiving again. */
export interface FaultEventRecord {
  message_id: string;
  event_type?: string;
  event_id?: string;
  pushes: number;
  /** Acks of any code; more than one means the app ran its handler more than once for it. */
  acks: number;
  /** From the fault to the first ack with code 200; null: not (yet) acked. */
  acked_ms: number | null;
  acked_at: string | null;
  state: PushResult['state'];
}

/**
 * What one fault did to one client (or to the gateway as a whole for refuse-endpoint, refuse-handshake and a
 * restart without clients). Times are ms from the fault; null: not (yet) observed.
 */
export interface FaultRecord {
  id: string;
  kind: FaultKind;
  spec: string;
  /** The client it hit; null for a fault on the gateway as a whole. */
  client: string | null;
  app_id: string | null;
  at: string;
  /** The first sign that the app noticed: it closed the connection, or asked endpoint discovery again. */
  noticed_ms: number | null;
  noticed_by: 'closed the connection' | 'endpoint discovery' | 'reconnected' | null;
  /** A new connection of the same app (after a refusal fault: the first connection after the last refusal). */
  reconnected_ms: number | null;
  new_client: string | null;
  /** The first ack on that new connection: events flow again. */
  receiving_ms: number | null;
  /** Endpoint requests or handshakes refused so far (refusal faults), pushes and pongs delayed (slow). */
  refused?: number;
  delayed?: number;
  /**
   * Open API faults (`api-*`): calls it shaped (refused, or delayed for api-slow), calls the app made again on an API it
   * shaped, and when one of those first succeeded (the app's retry worked; null: not seen).
   */
  calls?: { shaped: number; retries: number; retry_ok_ms: number | null };
  /** Events in flight at the fault and pushed before the client was receiving again, with their fate. */
  events: FaultEventRecord[];
  /** Events acked more than once (the app saw them again). */
  duplicates: number;
  /** Events not acked with code 200 (yet). */
  unacked: number;
  /** `active` until the client is receiving again (or the fault is cleared), then `recovered`. */
  state: 'active' | 'recovered' | 'cleared';
}

export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}

export class NoClientError extends Error {
  constructor() {
    super('no WSClient is connected');
    this.name = 'NoClientError';
  }
}
