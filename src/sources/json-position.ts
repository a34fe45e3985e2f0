/** Where a JSON.parse failure sits in the text, as 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/** Line and column (1-based) of a character offset in a text. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

export interface JsonSyntaxProblem extends TextPosition {
  message: string;
}

/**
 * Offset of the first character that makes `text` invalid JSON (text.length when it ends too early), or -1 when
 * it is valid. Only run after JSON.parse failed, because V8 does not always say where (`Unexpected token 'o'`).
 */
export function findJsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (at: number): never => {
    throw at;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (i >= n) fail(n);
      if (text[i] !== ch) fail(i);
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail(i);
      if (ch === 0x5c) {
        const esc = text[i + 1];
        if (esc === undefined) fail(n);
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i);
          i += 6;
        } else if ('"\\/bfnrt'.includes(esc as string)) i += 2;
        else fail(i);
        continue;
      }
      i++;
    }
    fail(n);
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === '' || match[0] === '-') fail(i);
    i += (match as RegExpExecArray)[0].length;
  };
  /** `"key":` inside an object, up to and including the colon. */
  const key = (): void => {
    ws();
    if (i >= n) fail(n);
    if (text[i] !== '"') fail(i);
    string();
    ws();
    if (i >= n) fail(n);
    if (text[i] !== ':') fail(i);
    i++;
  };
  /** The closing brackets of the objects and arrays open around the current position, innermost last. */
  const open: string[] = [];
  // Nesting is kept on an explicit stack, not the call stack: '['.repeat(100000) is an error at its end, not a
  // stack overflow.
  const value = (): void => {
    for (;;) {
      ws();
      if (i >= n) fail(n);
      const ch = text[i];
      if (ch === '{' || ch === '[') {
        const close = ch === '{' ? '}' : ']';
        i++;
        ws();
        if (text[i] === close) i++;
        else {
          open.push(close);
          if (close === '}') key();
          continue;
        }
      } else if (ch === '"') string();
      else if (ch === 't') literal('true');
      else if (ch === 'f') literal('false');
      else if (ch === 'n') literal('null');
      else number();
      // After a value: close what it ends, or go on to the next item of the innermost open container.
      for (;;) {
        if (open.length === 0) return;
        ws();
        if (i >= n) fail(n);
        const close = open[open.length - 1] as string;
        if (text[i] === close) {
          i++;
          open.pop();
          continue;
        }
        if (text[i] !== ',') fail(i);
        i++;
        if (close === '}') key();
        break;
      }
    }
  };
  try {
    value();
    ws();
    return i < n ? i : -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

/** Turn V8's JSON.parse error into a short message and a position. */
export function describeJsonError(error: unknown, text: string): JsonSyntaxProblem {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(raw);
  const scanned = position ? -1 : findJsonErrorOffset(text);
  const offset = position ? Number(position[1]) : scanned >= 0 ? scanned : text.length;
  // V8's messages quote the whole input; keep only the part that says what was wrong.
  let message = raw
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/ in JSON at position \d+/, '')
    .replace(/, ".*"(\.\.\.)? is not valid JSON$/s, '')
    // Whatever V8 still quotes (a token that is a newline, say) must not break the line.
    .replace(/\s+/g, ' ');
  if (/^Unexpected end of JSON input$/.test(message) || offset >= text.trimEnd().length) message = 'unexpected end of JSON';
  message = message.charAt(0).toLowerCase() + message.slice(1);
  return { message: `invalid JSON: ${message}`, ...positionAt(text, offset) };
}
