// Every key binding of `tail`, in one place, as plain data: the reducer decides what a key means without knowing
// about the terminal library, and the footer's help is made from the same table.

/** One key press. `name` for keys that are not text; `input` is the text typed ('' for named keys). */
export interface KeyPress {
  input: string;
  name?: KeyName;
  ctrl?: boolean;
  meta?: boolean;
}

export type KeyName = 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' | 'return' | 'escape' | 'backspace' | 'tab';

export type TailCommand =
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'top'
  | 'bottom'
  | 'previous'
  | 'next'
  | 'details'
  | 'close'
  | 'filter'
  | 'pause'
  | 'save'
  | 'redeliver'
  | 'clear'
  | 'quit';

/** The footer while the list has the keys. */
export const LIST_HELP: ReadonlyArray<readonly [string, string]> = [
  ['↑↓/jk', 'move'],
  ['g/G', 'top/end'],
  ['enter', 'details'],
  ['/', 'filter'],
  ['p', 'pause'],
  ['s', 'save'],
  ['r', 're-deliver'],
  ['c', 'clear'],
  ['q', 'quit'],
];

/** The same, shorter, for narrow terminals. */
export const LIST_HELP_SHORT: ReadonlyArray<readonly [string, string]> = [
  ['↑↓jk', 'move'],
  ['gG', 'ends'],
  ['enter', 'details'],
  ['/', 'filter'],
  ['p', 'pause'],
  ['s', 'save'],
  ['r', 'resend'],
  ['c', 'clear'],
  ['q', 'quit'],
];

/** The footer while the details pane is open: the keys scroll the pane. */
export const DETAILS_HELP: ReadonlyArray<readonly [string, string]> = [
  ['↑↓/jk', 'scroll'],
  ['space/b', 'page'],
  ['g/G', 'top/end'],
  ['←→', 'prev/next event'],
  ['esc', 'close'],
  ['s', 'save'],
  ['r', 're-deliver'],
  ['q', 'quit'],
];

export const DETAILS_HELP_SHORT: ReadonlyArray<readonly [string, string]> = [
  ['↑↓jk', 'scroll'],
  ['space/b', 'page'],
  ['gG', 'ends'],
  ['←→', 'event'],
  ['esc', 'close'],
  ['s', 'save'],
  ['r', 'resend'],
  ['q', 'quit'],
];

/**
 * Split what the terminal sent at once into single key presses. Typing fast, key repeat and paste deliver several
 * keys in one chunk (`exam`, two DEL bytes); each must count as its own key.
 */
export function splitKeys(chunk: KeyPress): KeyPress[] {
  if (chunk.name !== undefined || chunk.ctrl || chunk.input.length === 0) return [chunk];
  const presses: KeyPress[] = [];
  for (const ch of chunk.input) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\x7f' || ch === '\b') presses.push({ input: '', name: 'backspace' });
    else if (ch === '\r' || ch === '\n') presses.push({ input: '', name: 'return' });
    else if (ch === '\t') presses.push({ input: '', name: 'tab' });
    else if (ch === '\x1b') presses.push({ input: '', name: 'escape' });
    else if (code < 0x20) presses.push({ input: String.fromCharCode(code + 0x60), ctrl: true });
    else presses.push({ input: ch, ...(chunk.meta ? { meta: true } : {}) });
  }
  return presses;
}

/** What a key does: in the list, or with the details pane open. */
export function commandForKey(key: KeyPress, pane: 'list' | 'details'): TailCommand | undefined {
  if (key.ctrl) return key.input === 'c' ? 'quit' : key.input === 'd' ? 'page-down' : key.input === 'u' ? 'page-up' : undefined;
  if (key.meta) return undefined;
  switch (key.name) {
    case 'up':
      return 'up';
    case 'down':
      return 'down';
    case 'pageup':
      return 'page-up';
    case 'pagedown':
      return 'page-down';
    case 'home':
      return 'top';
    case 'end':
      return 'bottom';
    case 'left':
      return pane === 'details' ? 'previous' : undefined;
    case 'right':
      return pane === 'details' ? 'next' : undefined;
    case 'return':
      return pane === 'details' ? 'close' : 'details';
    case 'escape':
      return pane === 'details' ? 'close' : undefined;
    default:
      break;
  }
  switch (key.input) {
    case 'k':
      return 'up';
    case 'j':
      return 'down';
    case 'g':
      return 'top';
    case 'G':
      return 'bottom';
    case ' ':
      return pane === 'details' ? 'page-down' : undefined;
    case 'b':
      return pane === 'details' ? 'page-up' : undefined;
    case 'h':
      return pane === 'details' ? 'previous' : undefined;
    case 'l':
      return pane === 'details' ? 'next' : undefined;
    case '/':
      return 'filter';
    case 'p':
      return 'pause';
    case 's':
      return 'save';
    case 'r':
      return 'redeliver';
    case 'c':
      return 'clear';
    case 'q':
      return 'quit';
    default:
      return undefined;
  }
}
