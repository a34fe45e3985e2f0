import type { Key } from 'ink';
import type { KeyName, KeyPress } from '../tail/keys.js';

/** Ink's view of a key press → the plain KeyPress the reducer takes (the bindings live in tail/keys.ts). */
export function toKeyPress(input: string, key: Key): KeyPress {
  const name: KeyName | undefined = key.upArrow
    ? 'up'
    : key.downArrow
      ? 'down'
      : key.leftArrow
        ? 'left'
        : key.rightArrow
          ? 'right'
          : key.pageUp
            ? 'pageup'
            : key.pageDown
              ? 'pagedown'
              : key.home
                ? 'home'
                : key.end
                  ? 'end'
                  : key.return
                    ? 'return'
                    : key.escape
                      ? 'escape'
                      : key.backspace || key.delete
                        ? 'backspace'
                        : key.tab
                          ? 'tab'
                          : undefined;
  return {
    input: name ? '' : input,
    ...(name ? { name } : {}),
    ...(key.ctrl ? { ctrl: true } : {}),
    // Ink marks a lone escape as meta too; only a real modifier counts here.
    ...(key.meta && !key.escape ? { meta: true } : {}),
  };
}
