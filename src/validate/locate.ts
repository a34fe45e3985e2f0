/**
 * From a JSON pointer to a position in the text the value was parsed from. Only failing events get here, so this
 * is a plain scanner over the text (no parse tree is kept for valid events).
 */

export interface TextSpot {
  /** Offset of the value (or of its key, when the key was asked for and the parent is an object). */
  offset: number;
  /** False when the pointer leads somewhere the text does not have (then `offset` is the deepest point found). */
  found: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** `i` is at an opening quote; returns the offset after the closing one. */
function skipString(text: string, i: number): number {
  i++;
  for (;;) {
    const next = text.indexOf('"', i);
    if (next === -1) return text.length;
    // Count the backslashes before the quote: an odd number escapes it.
    let slashes = 0;
    for (let j = next - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return next + 1;
    i = next + 1;
  }
}

/** `i` is at the first character of a value; returns the offset after it. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = skipString(text, i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  // Number, true, false, null: up to the next delimiter.
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
    i++;
  }
  return i;
}

function readKey(text: string, i: number): { key: string; end: number } {
  const end = skipString(text, i);
  const raw = text.slice(i + 1, end - 1);
  if (!raw.includes('\\')) return { key: raw, end };
  try {
    return { key: JSON.parse(text.slice(i, end)) as string, end };
  } catch {
    return { key: raw, end };
  }
}

/** Offsets of the elements of the array that starts at `start` (used to index a large JSON document once). */
export function arrayElementOffsets(text: string, start: number): number[] {
  const offsets: number[] = [];
  let i = skipWhitespace(text, start);
  if (text.charCodeAt(i) !== OPEN_BRACKET) return offsets;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return offsets;
  while (i < text.length) {
    offsets.push(i);
    i = skipWhitespace(text, skipValue(text, i));
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(text, i + 1);
  }
  return offsets;
}

/**
 * Follow `segments` from the value at `start`. With `key`, the result is the offset of the last segment's key
 * (its opening quote) when its parent is an object. Duplicate keys resolve to the last one, as JSON.parse does.
 */
export function findPointer(text: string, start: number, segments: readonly string[], key = false): TextSpot {
  let i = skipWhitespace(text, start);
  let keyOffset = -1;
  for (const segment of segments) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE) {
      let found = -1;
      let foundKey = -1;
      let j = skipWhitespace(text, i + 1);
      while (j < text.length && text.charCodeAt(j) === QUOTE) {
        const keyStart = j;
        const member = readKey(text, j);
        j = skipWhitespace(text, member.end);
        if (text.charCodeAt(j) !== COLON) break;
        j = skipWhitespace(text, j + 1);
        if (member.key === segment) {
          found = j;
          foundKey = keyStart;
        }
        j = skipWhitespace(text, skipValue(text, j));
        if (text.charCodeAt(j) !== COMMA) break;
        j = skipWhitespace(text, j + 1);
      }
      if (found === -1) return { offset: i, found: false };
      i = found;
      keyOffset = foundKey;
    } else if (c === OPEN_BRACKET) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return { offset: i, found: false };
      const wanted = Number(segment);
      let j = skipWhitespace(text, i + 1);
      if (text.charCodeAt(j) === CLOSE_BRACKET) return { offset: i, found: false };
      for (let n = 0; n < wanted; n++) {
        j = skipWhitespace(text, skipValue(text, j));
        if (text.charCodeAt(j) !== COMMA) return { offset: i, found: false };
        j = skipWhitespace(text, j + 1);
      }
      i = j;
      keyOffset = -1;
    } else {
      return { offset: i, found: false };
    }
  }
  return { offset: key && keyOffset !== -1 ? keyOffset : i, found: true };
}

/** Line starts of a text, for turning many offsets into lines with a binary search. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function positionFromStarts(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

/** The part of a record needed to point into its text. */
export interface LocatableRecord {
  /** 1-based line where `text` starts in the source. */
  line: number;
  text: string;
  /** Pointer of the event within `text` ('' or '/3'). */
  pointer: string;
}

/** Texts at least this long get their line starts and array elements indexed once, not rescanned per finding. */
const INDEX_THRESHOLD = 64 * 1024;

/**
 * Turns (record, pointer) into a line and column of the source. Keeps an index of the last large text it saw,
 * so that many findings in one big JSON array cost one pass over it, not one pass each.
 */
export class SourceLocator {
  private indexedText: string | undefined;
  private starts: number[] = [];
  private elements: number[] | undefined;

  private index(text: string): void {
    if (this.indexedText === text) return;
    this.indexedText = text;
    this.starts = lineStarts(text);
    this.elements = undefined;
  }

  /** Offset of the event itself within its text. */
  private eventStart(record: LocatableRecord): number {
    if (record.pointer === '') return skipWhitespace(record.text, 0);
    const segments = pointerSegments(record.pointer);
    if (record.text.length >= INDEX_THRESHOLD && segments.length === 1) {
      this.index(record.text);
      this.elements ??= arrayElementOffsets(record.text, 0);
      const offset = this.elements[Number(segments[0])];
      if (offset !== undefined) return offset;
    }
    return findPointer(record.text, 0, segments).offset;
  }

  private position(record: LocatableRecord, offset: number): { line: number; column: number } {
    const text = record.text;
    let line: number;
    let column: number;
    if (text.length >= INDEX_THRESHOLD) {
      this.index(text);
      ({ line, column } = positionFromStarts(this.starts, offset));
    } else {
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      line = 1;
      for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
      column = offset - lineStart + 1;
    }
    return { line: record.line + line - 1, column };
  }

  /** Line and column where the event starts. */
  eventPosition(record: LocatableRecord): { line: number; column: number } {
    return this.position(record, this.eventStart(record));
  }

  /** Line and column of the value at `pointer` within the event (or of its key, with `key`). */
  locate(record: LocatableRecord, pointer: string, key = false): { line: number; column: number } {
    const start = this.eventStart(record);
    const spot = findPointer(record.text, start, pointerSegments(pointer), key);
    return this.position(record, spot.offset);
  }
}
