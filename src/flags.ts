// Reading flag values: every command parses numbers, durations, URLs and choices the same way and words a bad
// value the same way (`--flag must be …, got "…"`, exit 2). The pure parsers (parseDuration) throw a
// SyntaxError and are part of the library; the flag readers turn problems into usage errors.
import { usageError } from './errors.js';
import { describeMs, MAX_TIMER_MS } from './limits.js';

/** A flag's value when it is a string (commander and the fast path both give strings or booleans). */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a duration like `500ms`, `15s`, `5m`, `1h` (a bare number is milliseconds). */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) throw new SyntaxError(`"${text}" is not a duration (e.g. 500ms, 15s, 5m, 1h)`);
  const value = Math.round(Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1));
  // node fires a longer timer after ~1 ms: refuse it rather than let `1000h` mean "now".
  if (value > MAX_TIMER_MS) throw new RangeError(`"${text.trim()}" is longer than the longest supported duration (${describeMs(MAX_TIMER_MS)}, 2^31-1 ms)`);
  return value;
}

/** A whole-number flag between `min` and `max` (inclusive); `fallback` when it is not given. */
export function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw usageError(`${flag} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw usageError(`${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}`);
  return value;
}

/** A duration flag (`500ms`, `15s`, a bare number of ms) of more than 0; `fallback` when it is not given. */
export function durationFlag(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`);
  }
  if (ms <= 0) throw usageError(`${flag} must be more than 0`);
  return ms;
}

/** An http(s) URL, as `new URL` normalises it; `hint` is shown when it is not a URL at all. */
export function httpUrl(flag: string, raw: string, hint?: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${flag}: "${raw}" is not a URL`, hint);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${flag}: "${raw}" is not an http(s) URL`);
  return url;
}

/** One of a fixed set of words; `fallback` when it is not given. */
export function oneOf<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw usageError(`${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
}
