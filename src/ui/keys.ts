import type { Key } from 'ink';

/** Every key binding of `tail`, in one place; the help line is made from it. */
export type TailCommand = 'up' | 'down' | 'details' | 'filter' | 'pause' | 'save' | 'redeliver' | 'clear' | 'quit' | 'top' | 'bottom';

export const TAIL_HELP: ReadonlyArray<[string, string]> = [
  ['↑↓/jk', 'move'],
  ['enter', 'details'],
  ['/', 'filter'],
  ['p', 'pause'],
  ['s', 'save'],
  ['r', 're-deliver'],
  ['c', 'clear'],
  ['q', 'quit'],
];

/** The parts of Ink's Key that the bindings look at (a plain object, so that the reducer can take it). */
export type KeyFlags = Pick<Key, 'ctrl' | 'meta' | 'upArrow' | 'downArrow' | 'return' | 'escape' | 'backspace' | 'delete' | 'pageUp' | 'pageDown'>;

export function keyFlags(key: Key): KeyFlags {
  const { ctrl, meta, upArrow, downArrow, return: enter, escape, backspace, delete: del, pageUp, pageDown } = key;
  return { ctrl, meta, upArrow, downArrow, return: enter, escape, backspace, delete: del, pageUp, pageDown };
}

export function commandForKey(input: string, key: KeyFlags): TailCommand | undefined {
  if (key.ctrl && input === 'c') return 'quit';
  if (key.upArrow || input === 'k') return 'up';
  if (key.downArrow || input === 'j') return 'down';
  if (key.return) return 'details';
  if (key.pageUp || input === 'g') return 'top';
  if (key.pageDown || input === 'G') return 'bottom';
  switch (input) {
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
