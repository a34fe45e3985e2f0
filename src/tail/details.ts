// The details pane's body as the terminal shows it: findings, then the envelope's JSON, coloured token by token and
// wrapped to the width (a continuation line starts with `↪`), so that scrolling goes by the lines on the screen.
import stringWidth from 'string-width';
import type { TailEvent } from './state.js';

/** One line of the details body: a finding, the validity, or a line of the envelope's JSON. */
export interface DetailsLine {
  text: string;
  kind: 'invalid' | 'valid' | 'no-schema' | 'json';
}

/** A run of text in one colour (a colour name as ink knows it; none for the default). */
export interface DetailsToken {
  text: string;
  color?: string;
}

/** One line on the screen: part of a `DetailsLine`; `continued` when it carries on the line above. */
export interface VisualLine {
  kind: DetailsLine['kind'];
  tokens: DetailsToken[];
  continued: boolean;
}

/** What a continuation line starts with (shown dim): the line above did not fit the width. */
export const CONTINUATION_MARK = '↪ ';
const MARK_WIDTH = 2;

export function detailsLines(event: TailEvent): DetailsLine[] {
  const head: DetailsLine[] =
    event.valid === false
      ? event.findings.map((f) => ({ text: `✗ ${f}`, kind: 'invalid' as const }))
      : event.valid === true
        ? [{ text: '✓ valid', kind: 'valid' }]
        : [{ text: '· no schema for this type', kind: 'no-schema' }];
  return [...head, ...JSON.stringify(event.envelope, null, 2).split('\n').map((text) => ({ text, kind: 'json' as const }))];
}

/** Colour JSON line by line: keys, strings, numbers, literals. */
export function colorJsonLine(line: string): DetailsToken[] {
  const tokens: DetailsToken[] = [];
  const re = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index > last) tokens.push({ text: line.slice(last, m.index) });
    if (m[1] !== undefined) {
      tokens.push({ text: m[1], color: m[2] !== undefined ? 'cyan' : 'green' });
      if (m[2] !== undefined) tokens.push({ text: m[2] });
    } else if (m[3] !== undefined) tokens.push({ text: m[3], color: 'yellow' });
    else tokens.push({ text: m[4] as string, color: 'magenta' });
    last = re.lastIndex;
  }
  if (last < line.length) tokens.push({ text: line.slice(last) });
  return tokens;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
let segmenter: Intl.Segmenter | undefined;

/** The text as [glyph, cells] pairs: a CJK character or an emoji (with its skin tone, or a ZWJ family) is one glyph. */
function glyphs(text: string): Array<[string, number]> {
  if (PRINTABLE_ASCII.test(text)) return [...text].map((c) => [c, 1]);
  segmenter ??= new Intl.Segmenter();
  return [...segmenter.segment(text)].map(({ segment }) => [segment, stringWidth(segment)]);
}

/** Cut tokens into lines of at most `width` cells (continuation lines leave room for the mark). Never splits a glyph. */
function wrapTokens(tokens: DetailsToken[], width: number): DetailsToken[][] {
  const lines: DetailsToken[][] = [[]];
  let room = width;
  const push = (text: string, color: string | undefined): void => {
    const line = lines[lines.length - 1] as DetailsToken[];
    const last = line[line.length - 1];
    if (last && last.color === color) last.text += text;
    else line.push(color !== undefined ? { text, color } : { text });
  };
  const newLine = (): void => {
    lines.push([]);
    room = Math.max(1, width - MARK_WIDTH);
  };
  for (const token of tokens) {
    if (PRINTABLE_ASCII.test(token.text)) {
      // The common case: one cell a character, cut in slices.
      let rest = token.text;
      while (rest.length > room) {
        if (room > 0) push(rest.slice(0, room), token.color);
        rest = rest.slice(Math.max(0, room));
        newLine();
      }
      if (rest.length > 0) {
        push(rest, token.color);
        room -= rest.length;
      }
      continue;
    }
    for (const [glyph, cells] of glyphs(token.text)) {
      if (cells > room && (lines[lines.length - 1] as DetailsToken[]).length > 0) newLine();
      push(glyph, token.color);
      room -= cells;
    }
  }
  return lines;
}

const LINE_COLOR: Record<DetailsLine['kind'], string | undefined> = { invalid: 'red', valid: 'green', 'no-schema': 'gray', json: undefined };

let memo: { event: TailEvent; width: number; lines: VisualLine[] } | undefined;

/** The details body of `event` as lines on a screen `width` cells wide (the newest answer is kept: redraws are free). */
export function detailsVisualLines(event: TailEvent, width: number): VisualLine[] {
  if (memo && memo.event === event && memo.width === width) return memo.lines;
  const lines: VisualLine[] = [];
  const cells = Math.max(MARK_WIDTH + 1, width);
  for (const line of detailsLines(event)) {
    const color = LINE_COLOR[line.kind];
    const tokens = line.kind === 'json' ? colorJsonLine(line.text) : [color !== undefined ? { text: line.text, color } : { text: line.text }];
    wrapTokens(tokens, cells).forEach((part, i) => lines.push({ kind: line.kind, tokens: part, continued: i > 0 }));
  }
  memo = { event, width, lines };
  return lines;
}
