/** Text helpers for the terminal UI: fixed-width cells that never wrap, measured as the terminal draws them. */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

// Printable ASCII is one cell a character: most of what tail draws (types, ids), measured without segmenting.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Cells the text takes on a terminal: CJK and emoji two, a skin tone or a ZWJ family still one glyph. */
export function textWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** Cut to `width` cells with an ellipsis; `middle` keeps both ends (event types differ at their ends). */
export function truncate(text: string, width: number, position: 'end' | 'middle' = 'end'): string {
  if (width <= 0) return '';
  if (PRINTABLE_ASCII.test(text)) {
    if (text.length <= width) return text;
    if (width === 1) return '…';
    if (position === 'end') return `${text.slice(0, width - 1)}…`;
    const head = Math.ceil((width - 1) / 2);
    return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
  }
  if (stringWidth(text) <= width) return text;
  return cliTruncate(text, width, { position });
}

export function pad(text: string, width: number, position: 'end' | 'middle' = 'end'): string {
  const t = truncate(text, width, position);
  return t + ' '.repeat(Math.max(0, width - textWidth(t)));
}

export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
