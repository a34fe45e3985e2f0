// pbbp2 frames: our codec against hand-computed bytes, and against the official SDK's own protobufjs codec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  ackFrame,
  createFragmentAssembler,
  decodeFrame,
  encodeFrame,
  eventFrames,
  FrameError,
  getHeader,
  headersToRecord,
  parseAckPayload,
  pingFrame,
  PLATFORM_CLIENT_CONFIG,
  pongFrame,
  splitPayload,
  withHeader,
  type Frame,
} from '../../src/protocol/frame.js';

// ---------------------------------------------------------------------------------------------------------------
// The SDK's codec. lib/index.js does not export `pbbp2`, but its generated code registers the namespace on
// protobufjs/minimal's default root; the SDK loads protobufjs from its own location, so we resolve it from there.

interface SdkHeader {
  key: string;
  value: string;
}
interface SdkFrame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: SdkHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}
interface SdkCodec {
  encode(frame: Partial<SdkFrame>): { finish(): Uint8Array };
  decode(bytes: Uint8Array): SdkFrame;
}

const PBBP2_PROTO = `syntax = "proto2"; package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
  repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7;
  optional bytes payload = 8; optional string LogIDNew = 9; }`;

function sdkCodec(): { codec: SdkCodec; origin: string } {
  const require = createRequire(import.meta.url);
  const sdkPath = require.resolve('@larksuiteoapi/node-sdk');
  require(sdkPath);
  const sdkRequire = createRequire(sdkPath);
  const minimal = sdkRequire('protobufjs/minimal') as { roots: Record<string, { pbbp2?: { Frame: SdkCodec } }> };
  const fromSdk = minimal.roots.default?.pbbp2?.Frame;
  if (fromSdk) return { codec: fromSdk, origin: 'the SDK' };
  // Fallback if a future SDK stops registering it: the same definition, compiled by the protobufjs it ships with.
  const full = sdkRequire('protobufjs') as { parse(text: string): { root: { lookupType(name: string): SdkCodec } } };
  return { codec: full.parse(PBBP2_PROTO).root.lookupType('pbbp2.Frame'), origin: 'protobufjs' };
}

const { codec: sdk } = sdkCodec();
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function sample(overrides: Partial<Frame> = {}): Frame {
  return {
    seqId: 42,
    logId: 7,
    service: 123456,
    method: 1,
    headers: [
      { key: 'type', value: 'event' },
      { key: 'message_id', value: 'm-1' },
      { key: 'trace_id', value: '追踪-☃' },
    ],
    payloadEncoding: 'utf-8',
    payloadType: 'json',
    payload: utf8('{"schema":"2.0","header":{"event_type":"x"},"event":{"名字":"李雷"}}'),
    logIdNew: 'log-new-1',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------

test('the SDK codec is reachable (so the interop tests below test something)', () => {
  assert.equal(typeof sdk.encode, 'function');
  assert.equal(typeof sdk.decode, 'function');
});

test('encode: the exact bytes protobuf defines, required zero fields included', () => {
  const bytes = encodeFrame({ seqId: 1, logId: 2, service: 3, method: 1, headers: [{ key: 'type', value: 'event' }] });
  // 08 01 | 10 02 | 18 03 | 20 01 | 2a 0d (0a 04 "type" 12 05 "event")
  assert.equal(hex(bytes), `0801100218032001${'2a0d0a04'}${hex(utf8('type'))}1205${hex(utf8('event'))}`);
  assert.equal(hex(encodeFrame({ seqId: 0, logId: 0, service: 0, method: 0, headers: [] })), '0800100018002000');
});

test('varints: multi-byte, 2^53 and beyond as bigint, 2^64 - 1, negative int32 as ten bytes', () => {
  assert.equal(hex(encodeFrame({ seqId: 300, logId: 0, service: 0, method: 0, headers: [] })).slice(0, 6), '08ac02');
  const max = encodeFrame({ seqId: (1n << 64n) - 1n, logId: 0, service: 0, method: 0, headers: [] });
  assert.equal(hex(max).slice(0, 22), '08ffffffffffffffffff01');
  const negative = encodeFrame({ seqId: 0, logId: 0, service: -1, method: 0, headers: [] });
  assert.equal(hex(negative), `08001000${'18ffffffffffffffffff01'}2000`);
  for (const value of [0, 1, 127, 128, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 12345, Number.MAX_SAFE_INTEGER]) {
    assert.equal(decodeFrame(encodeFrame({ seqId: value, logId: value, service: 0, method: 0, headers: [] })).seqId, value, `seqId ${value}`);
  }
  for (const value of [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, (1n << 64n) - 1n]) {
    assert.equal(decodeFrame(encodeFrame({ seqId: value, logId: 1, service: 0, method: 0, headers: [] })).seqId, value, `seqId ${value}`);
  }
  assert.equal(decodeFrame(encodeFrame({ seqId: 9n, logId: 0, service: 0, method: 0, headers: [] })).seqId, 9, 'small bigints come back as numbers');
  for (const service of [-1, -2147483648, 2147483647, 0]) {
    assert.equal(decodeFrame(encodeFrame({ seqId: 0, logId: 0, service, method: 0, headers: [] })).service, service);
  }
});

test('encode refuses values the wire cannot carry', () => {
  assert.throws(() => encodeFrame({ seqId: -1, logId: 0, service: 0, method: 0, headers: [] }), RangeError);
  assert.throws(() => encodeFrame({ seqId: 1.5, logId: 0, service: 0, method: 0, headers: [] }), RangeError);
  assert.throws(() => encodeFrame({ seqId: 1n << 64n, logId: 0, service: 0, method: 0, headers: [] }), RangeError);
  assert.throws(() => encodeFrame({ seqId: 0, logId: 0, service: 2 ** 31, method: 0, headers: [] }), RangeError);
});

test('round trip: every field, unicode headers, binary payload with zero bytes', () => {
  const frame = sample({ payload: new Uint8Array([0, 1, 2, 0, 255, 0]) });
  assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
  const minimal = { seqId: 5, logId: 6, service: 7, method: 0, headers: [] };
  assert.deepEqual(decodeFrame(encodeFrame(minimal)), minimal, 'absent optional fields stay absent');
  const empty = { ...minimal, payload: new Uint8Array(0) };
  assert.deepEqual(decodeFrame(encodeFrame(empty)), empty, 'an empty payload is kept, not dropped');
});

test('interop: the SDK decodes what we encode', () => {
  for (const frame of [sample(), sample({ seqId: 2 ** 40 + 3, logId: 0, service: -5, method: 0, headers: [] }), pingFrame(999), pongFrame(999, PLATFORM_CLIENT_CONFIG)]) {
    const decoded = sdk.decode(encodeFrame(frame));
    assert.equal(Number(decoded.SeqID), Number(frame.seqId));
    assert.equal(Number(decoded.LogID), Number(frame.logId));
    assert.equal(decoded.service, frame.service);
    assert.equal(decoded.method, frame.method);
    assert.deepEqual((decoded.headers ?? []).map((h) => ({ key: h.key, value: h.value })), frame.headers);
    assert.equal(decoded.payloadEncoding || undefined, frame.payloadEncoding);
    assert.equal(decoded.payloadType || undefined, frame.payloadType);
    assert.equal(decoded.LogIDNew || undefined, frame.logIdNew);
    if (frame.payload) assert.equal(hex(decoded.payload as Uint8Array), hex(frame.payload));
  }
  const pong = sdk.decode(encodeFrame(pongFrame(1, { PingInterval: 5, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 })));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(pong.payload)), { PingInterval: 5, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 });
});

test('interop: we decode what the SDK encodes, byte for byte the same encoding', () => {
  const sdkFrame: SdkFrame = {
    SeqID: 123456789,
    LogID: 987654321,
    service: 42,
    method: 1,
    headers: [
      { key: 'type', value: 'event' },
      { key: 'biz_rt', value: '-3' },
    ],
    payload: utf8('{"code":200}'),
    LogIDNew: 'abc',
  };
  const bytes = sdk.encode(sdkFrame).finish();
  const ours = decodeFrame(bytes);
  assert.equal(ours.seqId, 123456789);
  assert.equal(ours.logId, 987654321);
  assert.equal(ours.service, 42);
  assert.equal(ours.method, 1);
  assert.deepEqual(ours.headers, sdkFrame.headers);
  assert.equal(new TextDecoder().decode(ours.payload), '{"code":200}');
  assert.equal(ours.logIdNew, 'abc');
  assert.equal(hex(encodeFrame(ours)), hex(bytes), 'same field order and encoding');
  const negative = decodeFrame(sdk.encode({ SeqID: 0, LogID: 0, service: -7, method: 0, headers: [] }).finish());
  assert.equal(negative.service, -7);
});

test('interop: an ack built the way the SDK builds it parses as an ack', () => {
  const pushed = eventFrames({ payload: utf8('{"a":1}'), messageId: 'mid', traceId: 'tid', service: 9, firstSeqId: 77, logId: 3 })[0] as Frame;
  const seen = sdk.decode(encodeFrame(pushed));
  // What WSClient.handleEventData sends back: the frame, plus biz_rt, with the ack payload.
  const ackBytes = sdk.encode({ ...seen, headers: [...seen.headers, { key: 'biz_rt', value: '-12' }], payload: utf8(JSON.stringify({ code: 500 })) }).finish();
  const ack = decodeFrame(ackBytes);
  assert.equal(ack.seqId, 77);
  assert.equal(getHeader(ack, 'message_id'), 'mid');
  assert.equal(getHeader(ack, 'biz_rt'), '-12');
  assert.deepEqual(parseAckPayload(ack.payload), { code: 500 });
  const ours = ackFrame(pushed, { code: 200 }, 5);
  assert.equal(getHeader(ours, 'biz_rt'), '5');
  assert.deepEqual(parseAckPayload(sdk.decode(encodeFrame(ours)).payload), { code: 200 });
});

test('decode: missing required fields, truncated bytes and bad wire types are FrameErrors; unknown fields are skipped', () => {
  assert.throws(() => decodeFrame(new Uint8Array([0x08, 0x01, 0x10, 0x02, 0x18, 0x03])), (e: unknown) => e instanceof FrameError && /method/.test(e.message));
  assert.throws(() => decodeFrame(new Uint8Array([0x10, 0x02, 0x18, 0x03, 0x20, 0x01])), /SeqID/);
  const good = encodeFrame(sample());
  assert.throws(() => decodeFrame(good.subarray(0, good.length - 3)), FrameError);
  assert.throws(() => decodeFrame(new Uint8Array([0x08, 0xff])), /truncated varint/);
  assert.throws(() => decodeFrame(new Uint8Array([0x0a, 0x00])), /wire type/);
  assert.throws(() => decodeFrame(new Uint8Array([0x08, 1, 0x10, 1, 0x18, 1, 0x20, 1, 0x2a, 0x02, 0x0a, 0x00])), /value/);
  // field 15 varint, field 16 fixed32, field 17 fixed64, field 18 bytes: all skipped.
  const extra = new Uint8Array([0x78, 0x96, 0x01, 0x85, 0x01, 1, 2, 3, 4, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x92, 0x01, 0x02, 0xaa, 0xbb]);
  const withExtra = new Uint8Array([...good, ...extra]);
  assert.deepEqual(decodeFrame(withExtra), sample());
  assert.deepEqual(sdk.decode(withExtra).SeqID, 42, 'the SDK skips them too');
});

test('headers: last value wins, withHeader replaces or appends without touching the original', () => {
  const frame = { headers: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '3' }] };
  assert.equal(getHeader(frame, 'a'), '3');
  assert.equal(getHeader(frame, 'zzz'), undefined);
  const replaced = withHeader(frame, 'b', 'x');
  assert.deepEqual(replaced.headers.map((h) => h.value), ['1', 'x', '3']);
  const appended = withHeader(frame, 'c', 'y');
  assert.deepEqual(headersToRecord(appended.headers), { a: '3', b: '2', c: 'y' });
  assert.equal(frame.headers.length, 3, 'the original is untouched');
  assert.equal(frame.headers[1]?.value, '2');
});

test('splitPayload: pieces of at most n bytes, in order; an empty payload is one piece; n < 1 is refused', () => {
  const bytes = utf8('abcdefghij');
  assert.deepEqual(splitPayload(bytes, 3).map((p) => new TextDecoder().decode(p)), ['abc', 'def', 'ghi', 'j']);
  assert.deepEqual(splitPayload(bytes, 5).map((p) => p.length), [5, 5]);
  assert.deepEqual(splitPayload(bytes, 100).map((p) => p.length), [10]);
  assert.deepEqual(splitPayload(new Uint8Array(0), 4).map((p) => p.length), [0]);
  assert.throws(() => splitPayload(bytes, 0), RangeError);
  assert.throws(() => splitPayload(bytes, 1.5), RangeError);
});

test('eventFrames: the headers clients read, consecutive SeqIDs, fragments that rejoin (even mid UTF-8 character)', () => {
  const text = JSON.stringify({ schema: '2.0', header: { event_type: 't' }, event: { name: '李雷和韩梅梅', emoji: '🎉'.repeat(5) } });
  const frames = eventFrames({ payload: utf8(text), messageId: 'm1', traceId: 't1', service: 5, firstSeqId: 10, fragmentSize: 7, timestamp: 1700000000123, instanceId: 'gw-1' });
  assert.equal(frames.length, Math.ceil(utf8(text).length / 7));
  frames.forEach((frame, i) => {
    assert.equal(frame.seqId, 10 + i);
    assert.equal(frame.method, 1);
    assert.equal(frame.service, 5);
    assert.deepEqual(headersToRecord(frame.headers), {
      type: 'event',
      message_id: 'm1',
      sum: String(frames.length),
      seq: String(i),
      trace_id: 't1',
      timestamp: '1700000000123',
      instance_id: 'gw-1',
    });
  });
  const assembler = createFragmentAssembler();
  // Out of order, with a duplicate, through the wire format.
  const order = frames.map((_, i) => i).reverse();
  let done;
  for (const i of [order[1] as number, ...order]) {
    const result = assembler.add(decodeFrame(encodeFrame(frames[i] as Frame)));
    if (result) done = result;
  }
  assert.ok(done, 'the message completed');
  assert.equal(new TextDecoder().decode(done.payload), text);
  assert.equal(done.fragments, frames.length);
  assert.equal(done.messageId, 'm1');
  assert.equal(assembler.pending, 0);
  const single = eventFrames({ payload: utf8('{}'), messageId: 'm2', traceId: 't2', service: 5, firstSeqId: 1 });
  assert.equal(single.length, 1);
  assert.match(getHeader(single[0] as Frame, 'timestamp') ?? '', /^\d{13}$/, 'timestamp defaults to now, in ms');
  assert.equal(getHeader(single[0] as Frame, 'instance_id'), undefined);
  assert.equal(new TextDecoder().decode(assembler.add(single[0] as Frame)?.payload), '{}');
});

test('the assembler refuses metadata it cannot place and prunes stale partial messages', () => {
  const assembler = createFragmentAssembler();
  const frame = (sum: string, seq: string, id = 'x'): Frame => ({
    seqId: 1,
    logId: 0,
    service: 0,
    method: 1,
    headers: [
      { key: 'message_id', value: id },
      { key: 'sum', value: sum },
      { key: 'seq', value: seq },
    ],
    payload: utf8('p'),
  });
  assert.throws(() => assembler.add(frame('2', '2')), FrameError);
  assert.throws(() => assembler.add(frame('0', '0')), FrameError);
  assert.throws(() => assembler.add(frame('abc', '0')), FrameError);
  assert.equal(assembler.add(frame('3', '0'), 1000), undefined);
  assert.throws(() => assembler.add(frame('4', '1')), /sum 4/);
  assert.equal(assembler.add(frame('2', '0', 'y'), 5000), undefined);
  assert.deepEqual(assembler.prune(2000, 4000), ['x']);
  assert.equal(assembler.pending, 1);
});

test('parseAckPayload: a JSON object with a numeric code, else undefined', () => {
  assert.deepEqual(parseAckPayload(utf8('{"code":200,"data":"eyJ4IjoxfQ=="}')), { code: 200, data: 'eyJ4IjoxfQ==' });
  assert.equal(parseAckPayload(utf8('{"code":"200"}')), undefined);
  assert.equal(parseAckPayload(utf8('not json')), undefined);
  assert.equal(parseAckPayload(undefined), undefined);
  assert.equal(parseAckPayload(new Uint8Array(0)), undefined);
});

test('decodeAckData reads the answer in an ack: base64 JSON (node SDK), a byte array (Java SDK), text that is not JSON, nothing', async () => {
    const { decodeAckData } = await import('../../src/protocol/frame.js');
    const toast = { toast: { type: 'success', content: '已批准' } };
    assert.deepEqual(decodeAckData(Buffer.from(JSON.stringify(toast)).toString('base64')), toast);
    assert.deepEqual(decodeAckData([...Buffer.from(JSON.stringify(toast))].map((b) => (b > 127 ? b - 256 : b))), toast);
    assert.equal(decodeAckData(Buffer.from('plain').toString('base64')), 'plain');
    assert.equal(decodeAckData(undefined), undefined);
    assert.equal(decodeAckData([1.5]), undefined);
});
