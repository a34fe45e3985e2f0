#!/usr/bin/env node
// pbbp2 frames: encode and decode an event frame (headers, a 1 KB JSON payload) N times with src/protocol/frame.ts,
// and with the official SDK's own generated protobufjs codec as the baseline measured in the same run.
import { createRequire } from 'node:module';
import { decodeFrame, encodeFrame, eventFrames } from '../dist/src/protocol/frame.js';

const N = Number(process.argv[2] ?? 200_000);
const require = createRequire(import.meta.url);
const sdkPath = require.resolve('@larksuiteoapi/node-sdk');
require(sdkPath);
const sdk = createRequire(sdkPath)('protobufjs/minimal').roots.default.pbbp2.Frame;

const payload = new TextEncoder().encode(JSON.stringify({ schema: '2.0', header: { event_id: 'e'.repeat(32), event_type: 'im.message.receive_v1' }, event: { text: 'x'.repeat(900) } }));
const [frame] = eventFrames({ service: 7, firstSeqId: 123456789, logId: 987654321, messageId: 'msg-1', traceId: 'trace-1', timestamp: 1764550000000, payload });
const sdkFrame = { SeqID: 123456789, LogID: 987654321, service: 7, method: 1, headers: frame.headers, payload: frame.payload };

function time(label, fn) {
  fn(); // warm up
  const start = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  (${((N / ms) * 1000).toFixed(0)} frames/s)`);
  return ms;
}

const bytes = encodeFrame(frame);
const ours = { encode: time('encode (ours)', () => { for (let i = 0; i < N; i++) encodeFrame(frame); }) };
const sdkEncode = time('encode (SDK protobufjs)', () => { for (let i = 0; i < N; i++) sdk.encode(sdkFrame).finish(); });
ours.decode = time('decode (ours)', () => { for (let i = 0; i < N; i++) decodeFrame(bytes); });
const sdkDecode = time('decode (SDK protobufjs)', () => { for (let i = 0; i < N; i++) sdk.decode(bytes); });
console.log(`ours / SDK: encode ${(ours.encode / sdkEncode).toFixed(2)}×, decode ${(ours.decode / sdkDecode).toFixed(2)}× (lower is faster; ${N} frames of ${bytes.length} B)`);
