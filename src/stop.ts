// What SIGINT / SIGTERM tell a command that stops early or runs until stopped (cli.ts's runCommand aborts it). A
// command that only checks whether it was stopped and closes what it reads (validate) takes the StopSignal, which
// costs nothing to make; one that hands a signal to node or undici (replay, gateway, tail) asks for an AbortSignal,
// made then. Node sets up its AbortController on first use: ~0.3 ms of every start of the command that makes one.

/** Whether, and why, the command was told to stop; and a way to hear it. */
export interface StopSignal {
  readonly aborted: boolean;
  /** The signal's name (SIGINT, SIGTERM) once aborted. */
  readonly reason: unknown;
  /** Calls `listener` once when the stop comes (not if it came before); returns what removes it. */
  onAbort(listener: () => void): () => void;
}

export interface Stop {
  readonly signal: StopSignal;
  abort(reason: unknown): void;
  /** An AbortSignal that follows this stop (aborted already if the stop came before). */
  abortSignal(): AbortSignal;
}

export function createStop(): Stop {
  let aborted = false;
  let reason: unknown;
  const listeners = new Set<() => void>();
  let controller: AbortController | undefined;
  const signal: StopSignal = {
    get aborted() {
      return aborted;
    },
    get reason() {
      return reason;
    },
    onAbort(listener) {
      const once = (): void => listener();
      listeners.add(once);
      return () => {
        listeners.delete(once);
      };
    },
  };
  return {
    signal,
    abort(why) {
      if (aborted) return;
      aborted = true;
      reason = why;
      controller?.abort(why);
      const heard = [...listeners];
      listeners.clear();
      for (const listener of heard) listener();
    },
    abortSignal() {
      if (controller === undefined) {
        controller = new AbortController();
        if (aborted) controller.abort(reason);
      }
      return controller.signal;
    },
  };
}
