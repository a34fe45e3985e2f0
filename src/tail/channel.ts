import type { TailAction } from './state.js';

/** A channel from the session (outside React) to the UI's reducer. Actions sent before anyone listens are kept. */
export interface TailChannel {
  send(action: TailAction): void;
  subscribe(listener: (action: TailAction) => void): () => void;
}

export function createTailChannel(): TailChannel {
  let listener: ((action: TailAction) => void) | undefined;
  const pending: TailAction[] = [];
  return {
    send(action) {
      if (listener) listener(action);
      else pending.push(action);
    },
    subscribe(next) {
      listener = next;
      for (const action of pending.splice(0)) next(action);
      return () => {
        if (listener === next) listener = undefined;
      };
    },
  };
}
