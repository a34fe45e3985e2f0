// Fresh ids (and the token, app id, tenant key) written into a 2.0 envelope's text without parsing it: the header's
// string values are found by a small scanner of JSON's structure and replaced where they stand. What the scanner is
// not sure of (a 1.0 envelope, a field that is missing or not a string, a key written twice or with escapes) it
// leaves to the caller, which then parses, prepares and re-serialises as usual.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string starting at `i` (a quote): the next quote not escaped (indexOf, not a loop a character). */
function skipString(text: string, i: number): number {
  let at = i;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return -1;
    // Escaped when an odd number of backslashes stands before it.
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at + 1;
  }
}

/** The index after the value starting at `i` (valid JSON: it was parsed before). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = skipString(text, i) - 1;
        if (i < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    i++;
  }
  return i;
}

/**
 * The members of the object starting at `i`: each key (undefined when written with escapes) and where its value
 * starts and ends; undefined when the text is not an object there.
 */
function members(text: string, i: number): { list: Array<{ key: string | undefined; start: number; end: number }>; end: number } | undefined {
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  const list: Array<{ key: string | undefined; start: number; end: number }> = [];
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return { list, end: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const raw = text.slice(i + 1, keyEnd - 1);
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    const start = skipWs(text, i + 1);
    const end = skipValue(text, start);
    if (end < 0) return undefined;
    list.push({ key: raw.includes('\\') ? undefined : raw, start, end });
    i = skipWs(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x7d) return { list, end: i + 1 };
    if (c !== 0x2c) return undefined;
    i = skipWs(text, i + 1);
  }
}

/**
 * `text` (a 2.0 envelope's JSON) with these header fields set to these strings, each where it stands; undefined
 * when any of them is not already a string in the header, or the text is anything but plain (then parse it).
 */
export function spliceHeader(text: string, values: Readonly<Record<string, string>>): string | undefined {
  const top = members(text, skipWs(text, 0));
  if (top === undefined || skipWs(text, top.end) !== text.length) return undefined;
  if (top.list.some((m) => m.key === undefined)) return undefined;
  const schemas = top.list.filter((m) => m.key === 'schema');
  if (schemas.length !== 1 || text.slice((schemas[0] as { start: number }).start, (schemas[0] as { end: number }).end) !== '"2.0"') return undefined;
  const headers = top.list.filter((m) => m.key === 'header');
  if (headers.length !== 1) return undefined;
  const header = headers[0] as { start: number; end: number };
  const fields = members(text, header.start);
  if (fields === undefined || fields.list.some((m) => m.key === undefined)) return undefined;
  const spans: Array<{ start: number; end: number; value: string }> = [];
  for (const [key, value] of Object.entries(values)) {
    const found = fields.list.filter((m) => m.key === key);
    if (found.length !== 1) return undefined;
    const span = found[0] as { start: number; end: number };
    if (text.charCodeAt(span.start) !== QUOTE) return undefined;
    spans.push({ start: span.start, end: span.end, value: JSON.stringify(value) });
  }
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + span.value;
    at = span.end;
  }
  return out + text.slice(at);
}
