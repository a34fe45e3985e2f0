/**
 * pbbp2 frames: the binary WebSocket messages of the long connection (protocol.md §3). A small proto2 codec of our
 * own, so that nothing on the start-up path loads protobufjs:
 *
 * ```proto
 * message Header { required string key = 1; required string value = 2; }
 * message Frame {
 *   required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
 *   repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7;
 *   optional bytes payload = 8; optional string LogIDNew = 9;
 * }
 * ```
 */

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
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const TWO_POW_32 = 0x1_0000_0000;
const UINT64_MAX = (1n << 64n) - 1n;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes collected in one growable buffer: one allocation per few frames rather than one per field. */
class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;
  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
  }
  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }
  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
  /** A varint of a value in [0, 2^64). Numbers are split in 32-bit halves: bitwise operators stop at 32 bits. */
  varint(value: Uint64): void {
    if (typeof value === 'bigint') {
      let v = value;
      while (v > 0x7fn) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    let lo = value % TWO_POW_32 >>> 0;
    let hi = Math.floor(value / TWO_POW_32) >>> 0;
    while (hi > 0 || lo > 0x7f) {
      this.byte((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.byte(lo);
  }
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }
  lengthDelimited(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.bytes(value);
  }
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function checkUint64(name: string, value: Uint64): Uint64 {
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) throw new RangeError(`${name} must be in [0, 2^64), got ${value}`);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer or a bigint, got ${value}`);
  return value;
}

function checkInt32(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`${name} must be an int32, got ${value}`);
  return value;
}

/** int32 on the wire: negative values are sign-extended to 64 bits (ten bytes), as protobuf does. */
function int32Varint(value: number): Uint64 {
  return value >= 0 ? value : BigInt.asUintN(64, BigInt(value));
}

/** Encode a frame. Every required field is written, zero included (node's decoder throws on a missing one). */
export function encodeFrame(frame: Frame): Uint8Array {
  const payload = frame.payload;
  const w = new ByteWriter(64 + (payload?.length ?? 0) + frame.headers.length * 32);
  w.tag(1, WIRE_VARINT);
  w.varint(checkUint64('SeqID', frame.seqId));
  w.tag(2, WIRE_VARINT);
  w.varint(checkUint64('LogID', frame.logId));
  w.tag(3, WIRE_VARINT);
  w.varint(int32Varint(checkInt32('service', frame.service)));
  w.tag(4, WIRE_VARINT);
  w.varint(int32Varint(checkInt32('method', frame.method)));
  for (const header of frame.headers) {
    const h = new ByteWriter(header.key.length + header.value.length * 3 + 8);
    h.lengthDelimited(1, textEncoder.encode(header.key));
    h.lengthDelimited(2, textEncoder.encode(header.value));
    w.lengthDelimited(5, h.finish());
  }
  if (frame.payloadEncoding !== undefined) w.lengthDelimited(6, textEncoder.encode(frame.payloadEncoding));
  if (frame.payloadType !== undefined) w.lengthDelimited(7, textEncoder.encode(frame.payloadType));
  if (payload !== undefined) w.lengthDelimited(8, payload);
  if (frame.logIdNew !== undefined) w.lengthDelimited(9, textEncoder.encode(frame.logIdNew));
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

class ByteReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  /** A varint as a uint64: a number when it is a safe integer, a bigint beyond. */
  varint(): Uint64 {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new FrameError('truncated varint');
      const b = this.bytes[this.pos++] as number;
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
    throw new FrameError('varint longer than 10 bytes');
  }
  /** The low 32 bits of a varint, as a signed int32 (how protobuf reads an int32 field). */
  int32(): number {
    const value = this.varint();
    // `| 0` is ToInt32: the value modulo 2^32, read as signed; exact for every safe integer.
    return typeof value === 'bigint' ? Number(BigInt.asIntN(32, value)) : value | 0;
  }
  length(): number {
    const n = this.varint();
    if (typeof n === 'bigint' || this.pos + n > this.end) throw new FrameError('length-delimited field runs past the end of the frame');
    return n;
  }
  slice(): Uint8Array {
    const n = this.length();
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    const n = this.length();
    const out = textDecoder.decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.advance(this.length());
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new FrameError(`unsupported wire type ${wireType}`);
    }
  }
  private advance(n: number): void {
    if (this.pos + n > this.end) throw new FrameError('field runs past the end of the frame');
    this.pos += n;
  }
}

function expectWireType(field: string, actual: number, expected: number): void {
  if (actual !== expected) throw new FrameError(`${field} has wire type ${actual}, expected ${expected}`);
}

function decodeHeader(r: ByteReader): FrameHeader {
  let key: string | undefined;
  let value: string | undefined;
  while (!r.done) {
    const tag = r.varint();
    if (typeof tag === 'bigint') throw new FrameError('field number out of range');
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1) {
      expectWireType('Header.key', wireType, WIRE_LENGTH_DELIMITED);
      key = r.string();
    } else if (field === 2) {
      expectWireType('Header.value', wireType, WIRE_LENGTH_DELIMITED);
      value = r.string();
    } else r.skip(wireType);
  }
  if (key === undefined) throw new FrameError("header is missing its required 'key'");
  if (value === undefined) throw new FrameError("header is missing its required 'value'");
  return { key, value };
}

/** Decode a frame; throws a FrameError on malformed bytes or a missing required field. Unknown fields are skipped. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const r = new ByteReader(bytes, 0, bytes.length);
  let seqId: Uint64 | undefined;
  let logId: Uint64 | undefined;
  let service: number | undefined;
  let method: number | undefined;
  const frame: Partial<Frame> & { headers: FrameHeader[] } = { headers: [] };
  while (!r.done) {
    const tag = r.varint();
    if (typeof tag === 'bigint') throw new FrameError('field number out of range');
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    switch (field) {
      case 1:
        expectWireType('SeqID', wireType, WIRE_VARINT);
        seqId = r.varint();
        break;
      case 2:
        expectWireType('LogID', wireType, WIRE_VARINT);
        logId = r.varint();
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
        const n = r.length();
        frame.headers.push(decodeHeader(new ByteReader(bytes, r.pos, r.pos + n)));
        r.pos += n;
        break;
      }
      case 6:
        expectWireType('payload_encoding', wireType, WIRE_LENGTH_DELIMITED);
        frame.payloadEncoding = r.string();
        break;
      case 7:
        expectWireType('payload_type', wireType, WIRE_LENGTH_DELIMITED);
        frame.payloadType = r.string();
        break;
      case 8:
        expectWireType('payload', wireType, WIRE_LENGTH_DELIMITED);
        frame.payload = r.slice();
        break;
      case 9:
        expectWireType('LogIDNew', wireType, WIRE_LENGTH_DELIMITED);
        frame.logIdNew = r.string();
        break;
      default:
        r.skip(wireType);
    }
  }
  if (seqId === undefined) throw new FrameError("frame is missing its required 'SeqID'");
  if (logId === undefined) throw new FrameError("frame is missing its required 'LogID'");
  if (service === undefined) throw new FrameError("frame is missing its required 'service'");
  if (method === undefined) throw new FrameError("frame is missing its required 'method'");
  return { ...frame, seqId, logId, service, method };
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
  data?: string;
  [field: string]: unknown;
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
