import { useEffect, useReducer, useRef, useState } from 'react';
import { useApp, useInput, useStdin, useStdout } from 'ink';
import { initialTailState, selectedEvent, tailReducer, type TailEvent } from '../tail/state.js';
import type { TailChannel } from '../tail/store.js';
import { commandForKey, keyFlags } from './keys.js';
import { TailView } from './TailView.js';

export interface TailAppProps {
  appId: string;
  domain: string;
  channel: TailChannel;
  capacity?: number;
  /** `s`: write the event somewhere; resolves to a line for the footer. */
  onSave(event: TailEvent): Promise<string>;
  /** `r`: re-deliver to --forward-to; resolves to a line for the footer. */
  onRedeliver(event: TailEvent): Promise<string>;
  onQuit(): void;
  /** Fixed size (tests); otherwise the terminal's. */
  width?: number;
  height?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** The interactive `tail`: state in a reducer, keys mapped in keys.ts, drawing in TailView. */
export function TailApp(props: TailAppProps) {
  const { channel, onSave, onRedeliver, onQuit } = props;
  const now = props.now ?? Date.now;
  const [state, dispatch] = useReducer(tailReducer, { capacity: props.capacity ?? 5000, now: now() }, initialTailState);
  const [tick, setTick] = useState(now());
  const { exit } = useApp();
  const { stdout } = useStdout();
  // Keys need a terminal on stdin too (`… | feishu-events tail` keeps the screen, without keys).
  const { isRawModeSupported } = useStdin();

  useEffect(() => channel.subscribe(dispatch), [channel]);
  useEffect(() => {
    // Redraw the uptime once a second; events redraw on their own (Ink throttles frames).
    const timer = setInterval(() => setTick(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);

  const report = (promise: Promise<string>): void => {
    void promise.then(
      (text) => dispatch({ type: 'message', text }),
      (error: unknown) => dispatch({ type: 'message', text: error instanceof Error ? error.message : String(error) }),
    );
  };

  // Keys can arrive faster than renders, and this handler may still be the previous render's: read the newest
  // state from a ref, and let the reducer (which always has it) decide what a key means.
  const latest = useRef(state);
  latest.current = state;
  useInput((input, key) => {
    const before = latest.current;
    dispatch({ type: 'key', input, key: keyFlags(key) });
    if (before.filterInput !== undefined) return;
    const selected = selectedEvent(before);
    switch (commandForKey(input, key)) {
      case 'save':
        if (selected) report(onSave(selected));
        break;
      case 'redeliver':
        if (selected) report(onRedeliver(selected));
        break;
      case 'quit':
        onQuit();
        exit();
        break;
      default:
        break;
    }
  }, { isActive: isRawModeSupported });

  return (
    <TailView
      state={state}
      appId={props.appId}
      domain={props.domain}
      width={props.width ?? stdout.columns ?? 80}
      height={props.height ?? stdout.rows ?? 24}
      now={Math.max(tick, state.startedAt)}
    />
  );
}
