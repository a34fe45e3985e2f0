/**
 * pbbp2 frames: the binary WebSocket messages of the long connection (the node SDK's `pbbp2.Frame`, the same
 * proto2 messages as oapi-sdk-go's ws/pbbp2.pb.go), encoded and decoded with protobufjs's Reader and Writer — the
 * library the SDK uses for this message — so that the bytes are protobuf's own:
 *
 * ```proto
 * message Header { required string key = 1; required string value = 2; }
 * message Frame {
 *   required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
 *   repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7;
 *   optional bytes payload = 8; optional string LogIDNew = 9;
 * }
 * ```
 *
 * uint64 values past 2^53 are bigints: read here from the varint's bytes, since protobufjs's own uint64 reader
 * gives a Long or a rounded number depending on a global setting the SDK changes when it loads.
 */
import protobuf from 'protobufjs/minimal.js';

/** A uint64: a number while it is a safe integer, a bigint beyond. */
export type Uint64 = number | bigint;

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  seqId: Uint64;
  logId: Uint64;
  service: number;
  /** 0 control (ping/pong), 1 data (events, acks). */
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  logIdNew?: string;
}

export const FrameMethod = { control: 0, data: 1 } as const;

export const HeaderKey = {
  type: 'type',
  messageId: 'message_id',
  sum: 'sum',
  seq: 'seq',
  traceId: 'trace_id',
  /** When the platform sent the frame, ms since the epoch (named by the Go SDK; the node SDK ignores it). */
  timestamp: 'timestamp',
  /** Which platform instance sent the frame and takes its ack (named by the Go SDK; the node SDK ignores it). */
  instanceId: 'instance_id',
  bizRt: 'biz_rt',
  handshakeStatus: 'handshake-status',
  handshakeMsg: 'handshake-msg',
  handshakeAuthErrCode: 'handshake-autherrcode',
} as const;

export const MessageType = { event: 'event', card: 'card', ping: 'ping', pong: 'pong' } as const;

/** A frame that cannot be decoded, or fragment metadata that cannot be placed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

const TWO_POW_32 = 0x1_0000_0000;
const UINT64_MAX = (1n << 64n) - 1n;

/** A checked uint64 as protobufjs's Writer takes it: a number while safe, else its two 32-bit halves. */
function uint64Value(name: string, value: Uint64): number | { low: number; high: number; unsigned: true } {
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) throw new RangeError(`${name} must be in [0, 2^64), got ${value}`);
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
    return { low: Number(value & 0xffff_ffffn) | 0, high: Number(value >> 32n) | 0, unsigned: true };
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer or a bigint, got ${value}`);
  return value;
}

function checkInt32(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`${name} must be an int32, got ${value}`);
  return value;
}

/** Field number and wire type, as protobuf writes them. */
const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/**
 * Encode a frame. Every required field is written, zero included (node's decoder throws on a missing one); a
 * negative int32 takes ten bytes, as protobuf defines.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1, WIRE_VARINT)).uint64(uint64Value('SeqID', frame.seqId) as number);
  w.uint32(tag(2, WIRE_VARINT)).uint64(uint64Value('LogID', frame.logId) as number);
  w.uint32(tag(3, WIRE_VARINT)).int32(checkInt32('service', frame.service));
  w.uint32(tag(4, WIRE_VARINT)).int32(checkInt32('method', frame.method));
  for (const header of frame.headers) {
    w.uint32(tag(5, WIRE_LENGTH_DELIMITED)).fork();
    w.uint32(tag(1, WIRE_LENGTH_DELIMITED)).string(header.key);
    w.uint32(tag(2, WIRE_LENGTH_DELIMITED)).string(header.value);
    w.ldelim();
  }
  if (frame.payloadEncoding !== undefined) w.uint32(tag(6, WIRE_LENGTH_DELIMITED)).string(frame.payloadEncoding);
  if (frame.payloadType !== undefined) w.uint32(tag(7, WIRE_LENGTH_DELIMITED)).string(frame.payloadType);
  if (frame.payload !== undefined) w.uint32(tag(8, WIRE_LENGTH_DELIMITED)).bytes(frame.payload);
  if (frame.logIdNew !== undefined) w.uint32(tag(9, WIRE_LENGTH_DELIMITED)).string(frame.logIdNew);
  const out = w.finish();
  // Node's Writer gives a Buffer: hand out a plain Uint8Array over the same bytes.
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

type Reader = protobuf.Reader;

/** A uint64 varint: a number when it is a safe integer, a bigint beyond (read from the bytes themselves). */
function readUint64(r: Reader): Uint64 {
  const start = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw new FrameError('truncated varint');
    const b = r.buf[r.pos++] as number;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      lo >>>= 0;
      hi >>>= 0;
      if (hi < 0x20_0000) return hi * TWO_POW_32 + lo;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
  }
  r.pos = start;
  throw new FrameError('varint longer than 10 bytes');
}

/** The length of a length-delimited field, checked against the end of the message. */
function readLength(r: Reader, end: number): number {
  const n = r.uint32();
  if (r.pos + n > end) throw new FrameError('length-delimited field runs past the end of the frame');
  return n;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A string field, decoded as the SDK decodes it (protobufjs's UTF-8 reader: fast on the short strings of headers;
 * it does not replace invalid UTF-8 with U+FFFD as TextDecoder would).
 */
function readString(r: Reader, end: number): string {
  const n = readLength(r, end);
  const start = r.pos;
  r.pos += n;
  return n === 0 ? '' : protobuf.util.utf8.read(r.buf, start, start + n);
}

function expectWireType(field: string, actual: number, expected: number): void {
  if (actual !== expected) throw new FrameError(`${field} has wire type ${actual}, expected ${expected}`);
}

function decodeHeader(r: Reader, end: number): FrameHeader {
  let key: string | undefined;
  let value: string | undefined;
  while (r.pos < end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wireType = t & 7;
    if (field === 1) {
      expectWireType('Header.key', wireType, WIRE_LENGTH_DELIMITED);
      key = readString(r, end);
    } else if (field === 2) {
      expectWireType('Header.value', wireType, WIRE_LENGTH_DELIMITED);
      value = readString(r, end);
    } else r.skipType(wireType);
  }
  if (r.pos > end) throw new FrameError('header runs past its length');
  if (key === undefined) throw new FrameError("header is missing its required 'key'");
  if (value === undefined) throw new FrameError("header is missing its required 'value'");
  return { key, value };
}

/** Decode a frame; throws a FrameError on malformed bytes or a missing required field. Unknown fields are skipped. */
export function decodeFrame(bytes: Uint8Array): Frame {
  try {
    return decodeFrameOrThrow(new protobuf.Reader(bytes));
  } catch (error) {
    if (error instanceof FrameError) throw error;
    // protobufjs: "index out of range" for bytes that end early, "invalid wire type", "invalid varint encoding".
    throw new FrameError(`malformed frame: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function decodeFrameOrThrow(r: Reader): Frame {
  let seqId: Uint64 | undefined;
  let logId: Uint64 | undefined;
  let service: number | undefined;
  let method: number | undefined;
  const headers: FrameHeader[] = [];
  let payloadEncoding: string | undefined;
  let payloadType: string | undefined;
  let payload: Uint8Array | undefined;
  let logIdNew: string | undefined;
  const end = r.len;
  while (r.pos < end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wireType = t & 7;
    switch (field) {
      case 1:
        expectWireType('SeqID', wireType, WIRE_VARINT);
        seqId = readUint64(r);
        break;
      case 2:
        expectWireType('LogID', wireType, WIRE_VARINT);
        logId = readUint64(r);
        break;
      case 3:
        expectWireType('service', wireType, WIRE_VARINT);
        service = r.int32();
        break;
      case 4:
        expectWireType('method', wireType, WIRE_VARINT);
        method = r.int32();
        break;
      case 5: {
        expectWireType('headers', wireType, WIRE_LENGTH_DELIMITED);
        const n = readLength(r, end);
        headers.push(decodeHeader(r, r.pos + n));
        break;
      }
      case 6:
        expectWireType('payload_encoding', wireType, WIRE_LENGTH_DELIMITED);
        payloadEncoding = readString(r, end);
        break;
      case 7:
        expectWireType('payload_type', wireType, WIRE_LENGTH_DELIMITED);
        payloadType = readString(r, end);
        break;
      case 8: {
        expectWireType('payload', wireType, WIRE_LENGTH_DELIMITED);
        const n = readLength(r, end);
        // A copy (a plain Uint8Array, also for a Buffer): the payload outlives the frame's buffer (fragments wait).
        payload = Uint8Array.prototype.slice.call(r.buf, r.pos, r.pos + n);
        r.pos += n;
        break;
      }
      case 9:
        expectWireType('LogIDNew', wireType, WIRE_LENGTH_DELIMITED);
        logIdNew = readString(r, end);
        break;
      default:
        r.skipType(wireType);
    }
  }
  if (r.pos > end) throw new FrameError('field runs past the end of the frame');
  if (seqId === undefined) throw new FrameError("frame is missing its required 'SeqID'");
  if (logId === undefined) throw new FrameError("frame is missing its required 'LogID'");
  if (service === undefined) throw new FrameError("frame is missing its required 'service'");
  if (method === undefined) throw new FrameError("frame is missing its required 'method'");
  const frame: Frame = { seqId, logId, service, method, headers };
  if (payloadEncoding !== undefined) frame.payloadEncoding = payloadEncoding;
  if (payloadType !== undefined) frame.payloadType = payloadType;
  if (payload !== undefined) frame.payload = payload;
  if (logIdNew !== undefined) frame.logIdNew = logIdNew;
  return frame;
}

// ---------------------------------------------------------------------------------------------------------------
// Headers

/** The value of a header (the last one, when a key repeats), or undefined. */
export function getHeader(frame: Pick<Frame, 'headers'>, key: string): string | undefined {
  for (let i = frame.headers.length - 1; i >= 0; i--) {
    const header = frame.headers[i] as FrameHeader;
    if (header.key === key) return header.value;
  }
  return undefined;
}

/** A copy of the frame with the header set: replaced in place when present, appended otherwise. */
export function withHeader<T extends Pick<Frame, 'headers'>>(frame: T, key: string, value: string): T {
  const index = frame.headers.findIndex((h) => h.key === key);
  const headers = index === -1 ? [...frame.headers, { key, value }] : frame.headers.map((h, i) => (i === index ? { key, value } : h));
  return { ...frame, headers };
}

export function headersToRecord(headers: readonly FrameHeader[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) out[header.key] = header.value;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Control frames, event frames, fragments

/** The settings the platform gives clients in the discovery answer and in every pong (seconds). */
export interface ClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

/** What the platform answers today. */
export const PLATFORM_CLIENT_CONFIG: Readonly<ClientConfig> = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };

export function pingFrame(service: number): Frame {
  return { seqId: 0, logId: 0, service, method: FrameMethod.control, headers: [{ key: HeaderKey.type, value: MessageType.ping }] };
}

export function pongFrame(service: number, config: ClientConfig): Frame {
  return {
    seqId: 0,
    logId: 0,
    service,
    method: FrameMethod.control,
    headers: [{ key: HeaderKey.type, value: MessageType.pong }],
    payload: textEncoder.encode(JSON.stringify(config)),
  };
}

/** Split a payload into pieces of at most `size` bytes; always at least one piece (an empty payload is one). */
export function splitPayload(payload: Uint8Array, size: number): Uint8Array[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`fragment size must be a whole number of bytes ≥ 1, got ${size}`);
  if (payload.length <= size) return [payload];
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < payload.length; offset += size) pieces.push(payload.subarray(offset, offset + size));
  return pieces;
}

export interface EventFramesInput {
  /** The plaintext envelope, as UTF-8 bytes. */
  payload: Uint8Array;
  messageId: string;
  traceId: string;
  service: number;
  /** SeqID of the first fragment; the following fragments count up from it. */
  firstSeqId: number;
  logId?: Uint64;
  /** Bytes per fragment; undefined: one frame. */
  fragmentSize?: number;
  /** `event` (default) or `card`. */
  type?: string;
  /** Header `timestamp`: ms since the epoch (default: now). */
  timestamp?: number;
  /** Header `instance_id`, when set. */
  instanceId?: string;
}

/** The data frames of one push: headers `type`, `message_id`, `sum`, `seq` (0-based), `trace_id`, `timestamp`, `instance_id`. */
export function eventFrames(input: EventFramesInput): Frame[] {
  const pieces = input.fragmentSize === undefined ? [input.payload] : splitPayload(input.payload, input.fragmentSize);
  return pieces.map((piece, seq) => ({
    seqId: input.firstSeqId + seq,
    logId: input.logId ?? 0,
    service: input.service,
    method: FrameMethod.data,
    headers: [
      { key: HeaderKey.type, value: input.type ?? MessageType.event },
      { key: HeaderKey.messageId, value: input.messageId },
      { key: HeaderKey.sum, value: String(pieces.length) },
      { key: HeaderKey.seq, value: String(seq) },
      { key: HeaderKey.traceId, value: input.traceId },
      { key: HeaderKey.timestamp, value: String(input.timestamp ?? Date.now()) },
      ...(input.instanceId !== undefined ? [{ key: HeaderKey.instanceId, value: input.instanceId }] : []),
    ],
    payload: piece,
  }));
}

/** What a client sends back after its handler ran: `code` 200 or 500, and `data` (base64 JSON) when it returned a value. */
export interface AckPayload {
  code: number;
  /** The handler's answer: base64 of its JSON (the node SDK), or the bytes as an array of numbers (the Java SDK's serialiser). */
  data?: string | number[];
  [field: string]: unknown;
}

/**
 * The handler's answer carried in an ack's `data`, parsed: the JSON value when it is JSON, else the text; undefined
 * when there is none. A callback's answer (a toast, a card) comes this way over the long connection. The node SDK
 * writes base64 of the JSON text; the Java SDK's serialiser writes the bytes as an array of numbers: both are read.
 */
export function decodeAckData(data: unknown): unknown {
  let text: string;
  if (typeof data === 'string') text = Buffer.from(data, 'base64').toString('utf8');
  else if (Array.isArray(data) && data.every((b) => Number.isInteger(b) && b >= -128 && b <= 255)) text = Buffer.from(data.map((b: number) => b & 0xff)).toString('utf8');
  else return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The ack of a data frame, as a client sends it: the same frame with header `biz_rt` and payload `{"code":…}`. */
export function ackFrame(frame: Frame, ack: AckPayload, handlerMs: number): Frame {
  return { ...withHeader(frame, HeaderKey.bizRt, String(Math.round(handlerMs))), payload: textEncoder.encode(JSON.stringify(ack)) };
}

/** The ack payload of a frame, or undefined when it is not a JSON object with a numeric `code`. */
export function parseAckPayload(payload: Uint8Array | undefined): AckPayload | undefined {
  if (payload === undefined || payload.length === 0) return undefined;
  try {
    const value = JSON.parse(textDecoder.decode(payload)) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as AckPayload).code === 'number') return value as AckPayload;
  } catch {
    // Not JSON: not an ack.
  }
  return undefined;
}

/** A completed message: the concatenated payload of all its fragments. */
export interface AssembledMessage {
  messageId: string;
  traceId: string | undefined;
  payload: Uint8Array;
  /** The frame that completed the message (the one a client acks). */
  last: Frame;
  fragments: number;
}

export interface FragmentAssembler {
  /** Add a data frame: the whole message once its last fragment is in, else undefined. Throws FrameError on bad metadata. */
  add(frame: Frame, now?: number): AssembledMessage | undefined;
  /** Drop partial messages first seen before `now - maxAgeMs`; returns their message ids. */
  prune(maxAgeMs: number, now?: number): string[];
  readonly pending: number;
}

/** Reassembles fragmented data frames by `message_id`, placing each by `seq` among `sum` pieces. */
export function createFragmentAssembler(): FragmentAssembler {
  const partial = new Map<string, { pieces: (Uint8Array | undefined)[]; received: number; firstSeen: number }>();
  return {
    add(frame, now = Date.now()) {
      const messageId = getHeader(frame, HeaderKey.messageId) ?? '';
      const sumText = getHeader(frame, HeaderKey.sum) ?? '1';
      const seqText = getHeader(frame, HeaderKey.seq) ?? '0';
      const sum = Number(sumText);
      const seq = Number(seqText);
      if (!Number.isInteger(sum) || sum < 1 || !Number.isInteger(seq) || seq < 0 || seq >= sum) {
        throw new FrameError(`invalid fragment metadata for message ${messageId || '(no id)'}: sum ${sumText}, seq ${seqText}`);
      }
      const payload = frame.payload ?? new Uint8Array(0);
      const traceId = getHeader(frame, HeaderKey.traceId);
      if (sum === 1) return { messageId, traceId, payload, last: frame, fragments: 1 };
      let entry = partial.get(messageId);
      if (!entry) {
        entry = { pieces: new Array<Uint8Array | undefined>(sum).fill(undefined), received: 0, firstSeen: now };
        partial.set(messageId, entry);
      } else if (entry.pieces.length !== sum) {
        throw new FrameError(`fragment ${seq} of message ${messageId} says sum ${sum}, the first said ${entry.pieces.length}`);
      }
      if (entry.pieces[seq] === undefined) entry.received++;
      entry.pieces[seq] = payload;
      if (entry.received < sum) return undefined;
      partial.delete(messageId);
      const pieces = entry.pieces as Uint8Array[];
      const total = pieces.reduce((n, p) => n + p.length, 0);
      const joined = new Uint8Array(total);
      let offset = 0;
      for (const piece of pieces) {
        joined.set(piece, offset);
        offset += piece.length;
      }
      return { messageId, traceId, payload: joined, last: frame, fragments: sum };
    },
    prune(maxAgeMs, now = Date.now()) {
      const dropped: string[] = [];
      for (const [id, entry] of partial) {
        if (now - entry.firstSeen > maxAgeMs) {
          partial.delete(id);
          dropped.push(id);
        }
      }
      return dropped;
    },
    get pending() {
      return partial.size;
    },
  };
}
