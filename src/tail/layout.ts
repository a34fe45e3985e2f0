import stringWidth from 'string-width';
import { DETAILS_HELP, DETAILS_HELP_SHORT, LIST_HELP, LIST_HELP_SHORT } from './keys.js';

/** How the screen of `tail` is divided, from the state and the terminal's size alone. */
export interface TailLayout {
  headerRows: number;
  /** The footer's message (a warning, saved to …), wrapped to the width; at most 3 lines. */
  messageLines: string[];
  /** The key help, wrapped to the width without splitting a binding. */
  helpLines: string[];
  listRows: number;
  /** The details pane, its title line included; 0 when closed. */
  detailsRows: number;
  /** Lines of the details body visible at once (what a page scrolls). */
  detailsPage: number;
  /** Columns of a list row. */
  row: { clock: boolean; id: boolean };
}

/** Wrap text at spaces to `width` terminal cells (a word longer than the width is cut by the renderer). */
export function wrapCells(text: string, width: number, maxLines = Infinity): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && stringWidth(candidate) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${kept[maxLines - 1]} …`;
    return kept;
  }
  return lines;
}

/** Groups of `key label` joined on as few lines as the width allows; a binding is never split. */
export function helpLines(help: ReadonlyArray<readonly [string, string]>, short: ReadonlyArray<readonly [string, string]>, width: number): string[] {
  for (const [table, separator] of [[help, '  '], [help, ' '], [short, ' ']] as const) {
    const one = table.map(([k, v]) => `${k} ${v}`).join(separator);
    if (stringWidth(one) <= width) return [one];
  }
  const items = short.map(([k, v]) => `${k} ${v}`);
  return wrapCells(items.map((i) => i.replace(/ /g, '\u00a0')).join(' '), width).map((l) => l.replace(/\u00a0/g, ' '));
}

/** The parts of the state the layout depends on (kept apart so that state.ts can import this module). */
export interface LayoutInput {
  screen: { width: number; height: number };
  connection: string;
  connectionError?: string;
  details: boolean;
  filterInput: string | undefined;
  message: string | undefined;
}

export function tailLayout(state: LayoutInput, hasSelection: boolean): TailLayout {
  const { width, height } = state.screen;
  const headerRows = state.connection === 'failed' && state.connectionError ? 3 : 2;
  const details = state.details && hasSelection;
  const messageText = state.filterInput !== undefined ? `filter by type (glob or text, enter to apply, esc to cancel): ${state.filterInput}▏` : state.message;
  const messageLines = messageText ? wrapCells(messageText, width, 3) : [''];
  const help = details ? helpLines(DETAILS_HELP, DETAILS_HELP_SHORT, width) : helpLines(LIST_HELP, LIST_HELP_SHORT, width);
  const body = Math.max(2, height - headerRows - 1 - messageLines.length - help.length);
  const detailsRows = details ? Math.max(2, Math.min(body - 1, Math.ceil(body * 0.65))) : 0;
  const listRows = Math.max(1, body - detailsRows);
  return {
    headerRows,
    messageLines,
    helpLines: help,
    listRows,
    detailsRows,
    detailsPage: Math.max(1, detailsRows - 1),
    // Narrow terminals give the summary the room: the event id is in the details pane.
    row: { clock: width >= 60, id: width >= 100 },
  };
}
