import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { decodeFrame, encodeFrame, FrameMethod, getHeader, HeaderKey, MessageType, PLATFORM_CLIENT_CONFIG, pongFrame, type ClientConfig } from '../protocol/frame.js';
import { packageVersion } from '../version.js';
import { clientInfo, createClientRegistry, type ConnectedClient } from './clients.js';
import { CONTROL_PREFIX, handleControlRequest, PayloadTooLarge, readBody, sendTooLarge, type ControlInfo } from './control-api.js';
import { checkDiscovery, connectUrl, DISCOVERY_PATH, discoveryFailure, discoverySuccess, DiscoveryCode } from './discovery.js';
import { API_FAULTS, CLIENT_FAULTS, formatFaultSpec, type FaultSpec } from './fault-spec.js';
import { createFaultBook, type FaultBook } from './faults.js';
import { originAllowed, ownOrigins, requestUrl, sendJson } from './http-guard.js';
import { createOpenApi, OPEN_API_PREFIX } from './open-api/handler.js';
import { createPushTracker } from './pushes.js';
import { FaultError, type FaultRecord, type Gateway, type GatewayEvent, type GatewayOptions, type PushOptions } from './types.js';

/** Where discovery sends clients to dial. */
export const WS_PATH = '/ws';
export const DEFAULT_ACK_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_REDELIVERIES = 4;
/**
 * The largest WebSocket message a client may send (the `ws` default is 100 MiB). Clients send pings and acks; an
 * ack carries the handler's return value (a card callback answers a card, at most some tens of KB): 1 MiB is
 * plenty, and a larger message closes the connection with 1009 (message too big), as a limit on the platform does.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;
/** Discovery requests are a few hundred bytes. */
const DISCOVERY_BODY_LIMIT = 64 * 1024;
/** A client that does not ping takes pushes this long after connecting. */
const CLIENT_READY_MS = 1000;
/** How long `close()` lets clients answer the close frame before it cuts their connections. */
const CLOSE_GRACE_MS = 1000;

interface Session {
  appId: string;
  deviceId: string;
  serviceId: number;
}

/** The host part of a URL for a bound address: a wildcard address is reached through loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** A Host header safe to echo back into a URL (no path, no credentials). */
function safeHostHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value) ? value : undefined;
}

function remoteOf(socket: Socket | Duplex): string {
  const s = socket as Socket;
  const address = s.remoteAddress ?? '?';
  return `${isIP(address) === 6 ? `[${address}]` : address}:${s.remotePort ?? '?'}`;
}

/** An Origin header as it may appear in the log: at most 100 characters, no control characters. */
function printableOrigin(origin: string | undefined): string {
  const text = (origin ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * Refuse a WebSocket upgrade with an HTTP answer and the handshake headers the platform uses. `handshakeStatus` is
 * what the Go and Python SDKs read: 403 means "forbidden, never reconnect"; 514 without an auth error code, and any
 * other code, mean "try again" — so refusals the client can recover from must not say 403.
 */
function refuseUpgrade(socket: Duplex, status: number, message: string, handshakeStatus: number = status): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${HeaderKey.handshakeStatus}: ${handshakeStatus}\r\n${HeaderKey.handshakeMsg}: ${encodeURIComponent(message)}\r\n\r\n${body}`,
  );
}

type MessageHandler = (data: RawData, isBinary: boolean) => void;

/**
 * The clients' messages of one turn of the event loop, handled together once the loop has read every connection
 * that was ready (a `setImmediate`), in the order they arrived. With many clients, each read carries one ack; handled
 * in its own read callback, each ack's push (the next event, written at once) ran between two reads, with its own
 * microtask checkpoint. Batched, as one connection's read of dozens of acks is, the gateway's CPU per push with 100
 * clients went from 80–93 to 64–68 µs, the 1-client case unchanged (bench/gateway-clients.js, load 4–7).
 */
interface Inbox {
  add(handle: MessageHandler, data: RawData, isBinary: boolean): void;
  /** Handle what is waiting now (before a disconnection or shutdown is reported). */
  flush(): void;
}

function createInbox(): Inbox {
  // Flat triples (handler, data, isBinary): no object per message.
  let queue: unknown[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      for (let i = 0; i < batch.length; i += 3) (batch[i] as MessageHandler)(batch[i + 1] as RawData, batch[i + 2] as boolean);
    }
  };
  return {
    add(handle, data, isBinary) {
      queue.push(handle, data, isBinary);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/**
 * The frames the gateway sends in one run of JavaScript (a batch of acks and the pushes they set off; a burst of
 * pushes from the control API) go to each socket in one write: the first frame corks the socket, and the sockets
 * are uncorked once that run is over (process.nextTick, after the promise jobs that push the next events). Frames
 * still go out in the order sent, one pbbp2 frame per WebSocket message. Measured with bench/gateway-clients.js (gateway
 * CPU per push, load 4–5): 1 client 57–59 → 44–48 µs (one write for dozens of pushes), 100 clients 64–67 → 53–56 µs
 * (one write per socket still, but written together, after the JavaScript that built them).
 */
interface Output {
  /** Cork `socket` until the end of this run of JavaScript (once per socket and run). */
  hold(socket: Duplex): void;
  /** Uncork every held socket now (before a connection is cut or closed). */
  flush(): void;
}

function createOutput(): Output {
  const held = new Set<Duplex>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    for (const socket of held) socket.uncork();
    held.clear();
  };
  return {
    hold(socket) {
      if (held.has(socket)) return;
      socket.cork();
      held.add(socket);
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flush);
      }
    },
    flush,
  };
}

/** Close a TCP connection with a reset, as a crashed peer or a middlebox does. */
function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * Start a local stand-in for the platform's long-connection endpoint: endpoint discovery, pbbp2 frames over
 * WebSocket, ping/pong, fragments, acks and re-pushes, cluster mode; plus the control API under `/_feishu-events/`.
 * Rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND…) when the address cannot be bound.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const clientConfig: ClientConfig = { ...PLATFORM_CLIENT_CONFIG, ...options.clientConfig };
  const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const redeliver = options.redeliver ?? true;
  // The Open API follows every push and ack to tie the app's calls to the event they answer.
  const openApi = createOpenApi({
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.appSecret !== undefined ? { appSecret: options.appSecret } : {}),
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
    historyLimit: (options.historyLimit ?? 1000) * 5,
    // Its calls go to the fault book too (the Open API faults' report), not back into itself.
    emit: (event) => {
      book?.observe(event);
      options.onEvent?.(event);
    },
    pushEvent: (appId, envelope) => {
      if (!registry.list().some((c) => c.appId === appId)) return false;
      push(envelope).catch(() => {});
      return true;
    },
  });
  const maxRedeliveries = options.maxRedeliveries ?? DEFAULT_MAX_REDELIVERIES;
  // The fault book reads every event first: the resilience report is made of them.
  let book: FaultBook | undefined;
  const emit = (event: GatewayEvent): void => {
    book?.observe(event);
    openApi.observe(event);
    options.onEvent?.(event);
  };
  const now = (): string => new Date().toISOString();
  const instanceId = `feishu-events-gateway-${randomBytes(4).toString('hex')}`;

  const registry = createClientRegistry(options.pick, options.random);
  const tracker = createPushTracker({
    clients: registry,
    ackTimeoutMs,
    redeliver,
    maxRedeliveries,
    historyLimit: options.historyLimit ?? 1000,
    emit,
    instanceId,
    ...(options.fragmentSize !== undefined ? { fragmentSize: options.fragmentSize } : {}),
  });
  book = createFaultBook({ tracker, emit });
  const faultBook = book;
  const push = (envelope: unknown, pushOptions?: PushOptions): ReturnType<Gateway['push']> => {
    openApi.noteEnvelope(envelope);
    return tracker.push(envelope, pushOptions);
  };
  // Tickets handed out by discovery; a dial without one is refused, as the platform refuses an unauthenticated one.
  const sessions = new Map<string, Session>();
  const serviceId = randomInt(100_000, 1_000_000);
  const sockets = new Set<WebSocket>();
  const socketOf = new Map<string, WebSocket>();
  /** Client faults given at start: each hits the first client that connects. */
  const armed: FaultSpec[] = [];
  let clientCount = 0;
  let closing = false;
  /** Between a `restart` fault's stop and its return. */
  let restarting = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let onLastSocketClosed: (() => void) | undefined;
  let domain = '';
  let port = 0;
  let origins: ReadonlySet<string> = new Set();

  const discovery = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, DISCOVERY_BODY_LIMIT));
    } catch (error) {
      if (error instanceof PayloadTooLarge) return sendTooLarge(res, error.limit);
      body = undefined;
    }
    const check = checkDiscovery(body, {
      ...(options.appId !== undefined ? { appId: options.appId } : {}),
      ...(options.appSecret !== undefined ? { appSecret: options.appSecret } : {}),
    });
    const remote = remoteOf(req.socket);
    const refusal = faultBook.takeEndpointRefusal();
    if (refusal !== undefined) {
      emit({ at: now(), type: 'refused', what: 'endpoint', fault: refusal.fault, how: refusal.how === 'code' ? `code ${refusal.code}` : refusal.how, app_id: check.appId, remote, left: refusal.left });
      if (refusal.how === 'reset') return resetSocket(req.socket);
      if (refusal.how === '5xx') return sendJson(res, 500, { code: 500, msg: `internal server error (${refusal.fault}: refuse-endpoint)` });
      return sendJson(res, 200, discoveryFailure(refusal.code, `internal error (${refusal.fault}: refuse-endpoint)`));
    }
    if (!check.ok) {
      emit({ at: now(), type: 'discovery', ok: false, app_id: check.appId, code: check.code, msg: check.msg, remote });
      // The platform answers HTTP 200 and puts the error in `code`.
      return sendJson(res, 200, discoveryFailure(check.code, check.msg));
    }
    const ticket = randomBytes(16).toString('hex');
    const session: Session = { appId: check.appId, deviceId: randomBytes(8).toString('hex'), serviceId };
    sessions.set(ticket, session);
    if (sessions.size > 10_000) sessions.delete(sessions.keys().next().value as string);
    const base = `ws://${safeHostHeader(req.headers.host) ?? `${urlHost(host)}:${port}`}${WS_PATH}`;
    emit({ at: now(), type: 'discovery', ok: true, app_id: check.appId, code: 0, remote });
    sendJson(res, 200, discoverySuccess(connectUrl(base, { ...session, ticket }), clientConfig));
  };

  const info = (): ControlInfo => ({
    name: 'feishu-events gateway',
    version: packageVersion(),
    domain,
    ws_path: WS_PATH,
    client_config: { ...clientConfig },
    ack_timeout_ms: ackTimeoutMs,
    redeliver,
    fragment_size: options.fragmentSize ?? null,
    repush: redeliver ? maxRedeliveries : 0,
    clients: registry.size,
    open_api: `${domain}${OPEN_API_PREFIX}`,
    calls: openApi.lastSeq(),
  });

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // A restart is under way: a connection kept alive from before finds nobody there.
    if (restarting) return void req.socket.destroy();
    const url = requestUrl(req.url);
    if (!url) return sendJson(res, 400, { code: 400, msg: 'bad request target' });
    if (!originAllowed(req.headers.origin, req.headers.host, origins)) {
      emit({ at: now(), type: 'rejected', remote: remoteOf(req.socket), reason: `a request from a web page (Origin ${printableOrigin(req.headers.origin)})` });
      return sendJson(res, 403, { code: 403, msg: 'requests from web pages are refused (foreign Origin)' });
    }
    if (url.pathname === DISCOVERY_PATH) {
      if (req.method !== 'POST') return sendJson(res, 405, { code: 405, msg: 'use POST' });
      return discovery(req, res);
    }
    if (url.pathname.startsWith(CONTROL_PREFIX) || url.pathname === CONTROL_PREFIX.slice(0, -1)) {
      return handleControlRequest(req, res, url, {
        info,
        clients: () => registry.list().map(clientInfo),
        waitForClient: (ms, signal) => registry.waitForClient(ms, signal),
        push,
        pushes: () => tracker.records(),
        calls: (filter) => openApi.calls(filter),
        lastCallSeq: () => openApi.lastSeq(),
        fault: (spec, client) => fault(spec, client),
        faults: () => faultBook.report(),
      });
    }
    if (url.pathname.startsWith(OPEN_API_PREFIX)) return openApi.handle(req, res, url);
    sendJson(res, 404, { code: 404, msg: `not found: ${url.pathname} (this is a feishu-events gateway: ${DISCOVERY_PATH}, ${WS_PATH}, ${OPEN_API_PREFIX}, ${CONTROL_PREFIX})` });
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal', message: error instanceof Error ? error.message : String(error) });
    });
  });
  // A request that is not HTTP at all: answer 400 and close, as node does by default, but never throw.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: MAX_CLIENT_MESSAGE_BYTES });

  const inbox = createInbox();

  const output = createOutput();

  const onConnection = (ws: WebSocket, session: Session, remote: string, socket: Duplex): void => {
    const client: ConnectedClient = {
      id: `client-${++clientCount}`,
      appId: session.appId,
      remote,
      serviceId: session.serviceId,
      connectedAt: new Date(),
      pushes: 0,
      acks: 0,
      pings: 0,
      halfOpen: false,
      slowMs: 0,
      // The node SDKs (1.26 to 1.74) attach their message listener a tick after the socket opens: a frame sent the
      // instant the connection is up can be lost (measured: 4 of 8). A client takes pushes from its first ping on —
      // every node version pings as soon as it is open — or a second after connecting, whichever comes first.
      ready: false,
      send(frames) {
        if (ws.readyState !== WebSocket.OPEN) return false;
        if (client.slowMs > 0) {
          faultBook.delayed(client.id);
          setTimeout(() => {
            if (ws.readyState === WebSocket.OPEN) for (const frame of frames) ws.send(frame);
          }, client.slowMs);
          return true;
        }
        output.hold(socket);
        for (const frame of frames) ws.send(frame);
        return true;
      },
    };
    sockets.add(ws);
    socketOf.set(client.id, ws);
    registry.add(client);
    emit({ at: now(), type: 'connected', client: client.id, app_id: client.appId, remote, clients: registry.size });
    tracker.onClientConnected();
    const startFault = armed.shift();
    if (startFault !== undefined) applyFault(startFault, [client]);
    const becomeReady = (): void => {
      clearTimeout(readyTimer);
      if (client.ready) return;
      client.ready = true;
      // Events that waited for a client go out now.
      tracker.onClientAvailable();
    };
    const readyTimer = setTimeout(becomeReady, CLIENT_READY_MS);
    const handleMessage = (data: RawData, isBinary: boolean): void => {
      if (!isBinary) {
        emit({ at: now(), type: 'frame_error', client: client.id, error: 'a text message: frames are binary protobuf' });
        return;
      }
      let frame;
      try {
        frame = decodeFrame(toBytes(data));
      } catch (error) {
        emit({ at: now(), type: 'frame_error', client: client.id, error: (error as Error).message });
        return;
      }
      if (frame.method === FrameMethod.control) {
        if (getHeader(frame, HeaderKey.type) === MessageType.ping) {
          client.pings++;
          becomeReady();
          const pong = encodeFrame(pongFrame(frame.service, clientConfig));
          if (client.slowMs > 0) {
            faultBook.delayed(client.id);
            setTimeout(() => ws.readyState === WebSocket.OPEN && !client.halfOpen && ws.send(pong), client.slowMs);
          } else {
            output.hold(socket);
            ws.send(pong);
          }
          emit({ at: now(), type: 'ping', client: client.id });
        }
        return;
      }
      if (frame.method === FrameMethod.data) tracker.onAck(client, frame);
    };
    ws.on('message', (data, isBinary) => {
      // Half-open: whatever the client sends never arrives.
      if (client.halfOpen) return;
      inbox.add(handleMessage, data, isBinary);
    });
    // 'close' always follows 'error'; the listener keeps an error from being thrown.
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      // What the client sent before it went is handled before its disconnection.
      inbox.flush();
      clearTimeout(readyTimer);
      sockets.delete(ws);
      socketOf.delete(client.id);
      if (sockets.size === 0) onLastSocketClosed?.();
      registry.remove(client.id);
      emit({ at: now(), type: 'disconnected', client: client.id, code, reason: reason.toString('utf8'), clients: registry.size });
    });
  };

  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const remote = remoteOf(socket);
    if (closing || restarting) return refuseUpgrade(socket, 503, closing ? 'the gateway is shutting down' : 'the gateway is restarting');
    const url = requestUrl(req.url);
    if (!url) return refuseUpgrade(socket, 400, 'bad request target');
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${url.pathname}`);
    if (!originAllowed(req.headers.origin, req.headers.host, origins)) {
      emit({ at: now(), type: 'rejected', remote, reason: `a WebSocket from a web page (Origin ${printableOrigin(req.headers.origin)})` });
      return refuseUpgrade(socket, 403, 'connections from web pages are refused (foreign Origin)');
    }
    const refusal = faultBook.takeHandshakeRefusal();
    if (refusal !== undefined) {
      emit({ at: now(), type: 'refused', what: 'handshake', fault: refusal.fault, how: `HTTP ${refusal.status}`, app_id: '', remote, left: refusal.left });
      return refuseUpgrade(socket, refusal.status, `refused by ${refusal.fault}: refuse-handshake`);
    }
    const session = sessions.get(url.searchParams.get('ticket') ?? '');
    if (!session) {
      emit({ at: now(), type: 'rejected', remote, reason: 'no valid ticket: dial the URL that endpoint discovery answered' });
      // 514 without an auth error code: the Go and Python SDKs run discovery again; 403 would stop them for good.
      return refuseUpgrade(socket, 401, 'no valid ticket: run endpoint discovery first', DiscoveryCode.authFailed);
    }
    // ws carries its frames over this very socket: the gateway corks it to send a turn's frames in one write.
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, session, remote, socket));
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    // Whatever a request holds, it must never take the gateway down.
    try {
      upgrade(req, socket, head);
    } catch {
      if (!socket.destroyed) refuseUpgrade(socket, 400, 'bad upgrade request');
    }
  });

  const listen = (listenPort: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(listenPort, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  await listen(options.port ?? 0);
  port = (server.address() as { port: number }).port;
  domain = `http://${urlHost(host)}:${port}`;
  origins = ownOrigins(domain, host, port);
  emit({ at: now(), type: 'listening', domain, ws_path: WS_PATH, control_api: `${domain}${CONTROL_PREFIX}` });

  const cutClients = (targets: readonly ConnectedClient[], how: 'drop' | 'close'): void => {
    for (const client of targets) {
      const ws = socketOf.get(client.id);
      if (!ws) continue;
      faultBook.closingByGateway(client.id);
      // Gone for the pushes from now on: the socket's own close event comes a little later.
      registry.remove(client.id);
      // drop: the TCP connection goes without a close frame; close: a normal WebSocket close.
      // What was sent to it before the fault goes out first, as it did before the fault was asked for.
      output.flush();
      if (how === 'drop') ws.terminate();
      else ws.close(1000, 'closed by the gateway (fault: close)');
    }
  };

  /** `restart`: stop listening, cut every connection, and come back on the same port after the pause. */
  const restart = (fault: string, pauseMs: number): void => {
    if (closing || restarting) return;
    restarting = true;
    emit({ at: now(), type: 'restarting', fault, pause_ms: pauseMs });
    server.close();
    cutClients(registry.list(), 'drop');
    server.closeIdleConnections();
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closing) return;
      listen(port).then(
        () => {
          restarting = false;
          emit({ at: now(), type: 'restarted', fault });
        },
        (error: unknown) => {
          restarting = false;
          emit({ at: now(), type: 'frame_error', client: '-', error: `the restart could not listen on port ${port} again: ${(error as Error).message}` });
        },
      );
    }, pauseMs);
  };

  /** Carry out a fault on the given clients (client faults) or the gateway; the book has its records. */
  function applyFault(spec: FaultSpec, targets: readonly ConnectedClient[]): FaultRecord[] {
    if (spec.kind === 'clear') {
      faultBook.clear(targets.length === registry.size ? null : targets.map((c) => c.id));
      for (const client of targets) {
        client.halfOpen = false;
        client.slowMs = 0;
      }
      tracker.onClientAvailable();
      if (targets.length === registry.size) openApi.clearFaults();
      return [];
    }
    if (API_FAULTS.includes(spec.kind)) {
      // The Open API's faults: the record first, so that the calls it shapes carry its id.
      const records = faultBook.open(spec, null);
      openApi.addFault(records[0]?.id ?? 'fault', spec);
      return records;
    }
    const gatewayWide = spec.kind === 'refuse-endpoint' || spec.kind === 'refuse-handshake';
    const records = faultBook.open(spec, gatewayWide ? null : targets);
    switch (spec.kind) {
      case 'drop':
      case 'close':
        cutClients(targets, spec.kind);
        break;
      case 'half-open':
        for (const client of targets) client.halfOpen = true;
        break;
      case 'slow':
        for (const client of targets) client.slowMs = spec.ms;
        break;
      case 'restart':
        // After this call returns, so that whoever asked (the control API) gets its answer first.
        setImmediate(() => restart(records[0]?.id ?? 'restart', spec.pauseMs));
        break;
      default:
        break;
    }
    return records;
  }

  async function fault(spec: FaultSpec, clientId?: string): Promise<FaultRecord[]> {
    if (closing) throw new FaultError('the gateway is shutting down');
    if (restarting) throw new FaultError('the gateway is restarting: try again after it is back');
    const clientFault = CLIENT_FAULTS.includes(spec.kind);
    if (clientId !== undefined && !clientFault) throw new FaultError(`${spec.kind} acts on the gateway as a whole: it takes no client`);
    let targets = registry.list();
    if (clientId !== undefined) {
      const client = registry.get(clientId);
      if (!client) throw new FaultError(`no client ${clientId} is connected (connected: ${targets.map((c) => c.id).join(', ') || 'none'})`);
      targets = [client];
    }
    if (clientFault && spec.kind !== 'clear' && targets.length === 0) throw new FaultError(`${formatFaultSpec(spec)}: no client is connected`);
    return applyFault(spec, targets);
  }

  for (const spec of options.faults ?? []) {
    if (spec.kind === 'restart') throw new FaultError('restart cannot be a start-up fault');
    if (CLIENT_FAULTS.includes(spec.kind) && spec.kind !== 'clear') armed.push(spec);
    else applyFault(spec, []);
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      clearTimeout(restartTimer);
      if (faultBook.report().length > 0) emit({ at: now(), type: 'resilience', faults: faultBook.report() });
      // Acks already received count; then answer whoever is waiting (pushes, long polls) before the connections go.
      inbox.flush();
      tracker.close();
      registry.close();
      openApi.close();
      output.flush();
      for (const ws of sockets) ws.close(1001, 'gateway shutting down');
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Timers here stay ref'd: an unref'd one could let the process exit with this promise still pending.
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, CLOSE_GRACE_MS)));
      const socketsGone = new Promise<void>((resolve) => {
        if (sockets.size === 0) resolve();
        else onLastSocketClosed = resolve;
      });
      await Promise.race([socketsGone, grace]);
      clearTimeout(graceTimer);
      for (const ws of sockets) ws.terminate();
      server.closeAllConnections();
      await serverClosed;
      wss.close();
      emit({ at: now(), type: 'closed' });
    })();
    return closed;
  };

  return {
    get domain() {
      return domain;
    },
    get port() {
      return port;
    },
    host,
    clientConfig: { ...clientConfig },
    clients: () => registry.list().map(clientInfo),
    waitForClient: (timeoutMs, signal) => registry.waitForClient(timeoutMs, signal),
    push,
    pushes: () => tracker.records(),
    calls: (filter) => openApi.calls(filter),
    fault,
    faults: () => faultBook.report(),
    close,
  };
}
