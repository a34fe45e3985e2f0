import { useEffect, useReducer, useState } from 'react';
import { useApp, useInput, useStdin, useStdout } from 'ink';
import { initialTailState, selectedEvent, tailReducer, type TailEvent } from '../tail/state.js';
import type { TailChannel } from '../tail/store.js';
import { commandForKey } from './keys.js';
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

  useInput((input, key) => {
    if (state.filterInput !== undefined) {
      if (key.return) dispatch({ type: 'filter-commit' });
      else if (key.escape) dispatch({ type: 'filter-cancel' });
      // Keys can arrive faster than renders: let the reducer append, not this (possibly stale) closure.
      else if (key.backspace || key.delete) dispatch({ type: 'filter-backspace' });
      else if (input && !key.ctrl && !key.meta) dispatch({ type: 'filter-type', text: input });
      return;
    }
    const selected = selectedEvent(state);
    switch (commandForKey(input, key)) {
      case 'up':
        dispatch({ type: 'move', delta: -1 });
        break;
      case 'down':
        dispatch({ type: 'move', delta: 1 });
        break;
      case 'top':
        dispatch({ type: 'move', delta: -Infinity });
        break;
      case 'bottom':
        dispatch({ type: 'move', delta: Infinity });
        break;
      case 'details':
        dispatch({ type: 'toggle-details' });
        break;
      case 'filter':
        dispatch({ type: 'filter-start' });
        break;
      case 'pause':
        dispatch({ type: 'toggle-follow' });
        break;
      case 'clear':
        dispatch({ type: 'clear' });
        break;
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
