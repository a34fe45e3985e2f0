// Properties of the parsers that meet untrusted bytes, for fast-check: the JSON position scanner, the NDJSON
// reader, the pbbp2 frame decoder and --set path parsing. The unit test runs them with a fixed seed;
// scripts/fuzz.js runs them longer with a fresh seed.
import type * as FastCheck from 'fast-check';
import { describeJsonError, findJsonErrorOffset } from '../../src/sources/json-position.js';
import { NdjsonLineReader } from '../../src/sources/ndjson-lines.js';
import { decodeFrame, FrameError } from '../../src/protocol/frame.js';
import { parseOverride, withPath } from '../../src/protocol/envelope.js';

export interface NamedProperty {
  name: string;
  property: FastCheck.IProperty<never> | FastCheck.IAsyncProperty<never>;
}

/** JSON-ish text: mostly the characters JSON is made of, so that the scanner goes deep into its grammar. */
function jsonishText(fc: typeof FastCheck): FastCheck.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '\r', '\t', 'true', 'false', 'null', '-', '0', '1e9', '.5', 'E+', '\\u12', '\\uD800', '"a"'),
    fc.string({ maxLength: 3 }),
  );
  return fc.oneof(
    fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('')),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat({ max: 200 })).map(([value, cut]) => JSON.stringify(value).slice(0, cut)),
  );
}

export function fuzzProperties(fc: typeof FastCheck): NamedProperty[] {
  return [
    {
      name: 'JSON position scanner: valid text is -1, invalid text gets an offset within it and a line/column',
      property: fc.property(jsonishText(fc), (text) => {
        let valid = true;
        let parseError: unknown;
        try {
          JSON.parse(text);
        } catch (error) {
          valid = false;
          parseError = error;
        }
        const offset = findJsonErrorOffset(text);
        if (valid) return offset === -1;
        if (offset < 0 || offset > text.length) return false;
        const problem = describeJsonError(parseError, text);
        return problem.line >= 1 && problem.column >= 1 && problem.message.startsWith('invalid JSON') && !problem.message.includes('\n');
      }) as never,
    },
    {
      name: 'NDJSON reader: any bytes in any chunks give the same records, one per non-blank line, and never throw',
      property: fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.constantFrom('\n', '\r\n', '{"a":1}', '[', '\u00e9', '\ufeff').map((t) => new Uint8Array(Buffer.from(t)))), { maxLength: 12 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 6 }),
        (parts, cuts) => {
          const bytes = Buffer.concat(parts.map((p) => Buffer.from(p)));
          const read = (chunks: Buffer[]): string[] => {
            const seen: string[] = [];
            const reader = new NdjsonLineReader('<fuzz>', {
              value: (_value, text, line) => seen.push(`v${line}:${text}`),
              malformed: (record) => seen.push(`m${record.line}:${record.column}:${record.message}`),
            }, 64);
            for (const chunk of chunks) reader.push(chunk);
            reader.end();
            return seen;
          };
          const whole = read([bytes]);
          const positions = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const cut of positions) {
            chunks.push(bytes.subarray(at, cut));
            at = cut;
          }
          chunks.push(bytes.subarray(at));
          const chunked = read(chunks);
          return JSON.stringify(whole) === JSON.stringify(chunked);
        },
      ) as never,
    },
    {
      name: 'frame decoder: any bytes give a frame or a FrameError, nothing else',
      property: fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeFrame(bytes);
          return true;
        } catch (error) {
          return error instanceof FrameError;
        }
      }) as never,
    },
    {
      name: '--set path parsing: any expression is an override or a SyntaxError, and applying it never reaches a prototype',
      property: fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.array(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'event', 'header', '0', '99999999999', ''), fc.string({ maxLength: 5 })), { maxLength: 6 }).map((segments) => `${segments.join('.')}=1`),
        ),
        (expression) => {
          let override;
          try {
            override = parseOverride(expression);
          } catch (error) {
            return error instanceof SyntaxError;
          }
          const before = Object.getOwnPropertyNames(Object.prototype).length;
          withPath({ schema: '2.0', header: { event_id: 'x' }, event: { list: [1, 2] } }, override.path, override.value);
          return Object.getOwnPropertyNames(Object.prototype).length === before && !('polluted' in {});
        },
      ) as never,
    },
  ];
}
