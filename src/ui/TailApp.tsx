import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { useApp, useInput, useStdin, useStdout } from 'ink';
import { commandForKey, splitKeys } from '../tail/keys.js';
import { initialTailState, keyReducer, selectedEvent, tailReducer, type TailAction, type TailEvent, type TailState } from '../tail/state.js';
import type { TailChannel } from '../tail/channel.js';
import { toKeyPress } from './keys.js';
import { TailView } from './TailView.js';

export interface TailAppProps {
  appId: string;
  domain: string;
  channel: TailChannel;
  capacity?: number;
  /** --filter given on the command line (shown, with the count of events it dropped). */
  filters?: readonly string[];
  /** false under NO_COLOR. */
  color?: boolean;
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
  /** Events arriving within this many ms of the last frame are drawn in one render (default 250: four frames a second while events stream; an event after a quiet spell and keys redraw at once). */
  frameMs?: number;
}

/** The interactive `tail`: state in a reducer, keys mapped in tail/keys.ts, drawing in TailView. */
export function TailApp(props: TailAppProps) {
  const { channel, onSave, onRedeliver, onQuit } = props;
  const now = props.now ?? Date.now;
  const { stdout } = useStdout();
  const size = (): { width: number; height: number } => ({ width: props.width ?? stdout.columns ?? 80, height: props.height ?? stdout.rows ?? 24 });
  const [state, dispatch] = useReducer(
    tailReducer,
    undefined,
    (): TailState => initialTailState({ capacity: props.capacity ?? 5000, now: now(), filters: props.filters ?? [], ...size() }),
  );
  const [tick, setTick] = useState(now());
  const { exit } = useApp();
  // Keys need a terminal on stdin too (`… | feishu-events tail` keeps the screen, without keys).
  const { isRawModeSupported } = useStdin();

  // What the last frame cost: from the start of this component's render to its layout effects, which React runs
  // after ink has laid out, drawn and written the frame (ink draws in resetAfterCommit, before layout effects).
  const renderStarted = performance.now();
  const frameCost = useRef(0);
  useLayoutEffect(() => {
    frameCost.current = performance.now() - renderStarted;
  });

  useEffect(() => {
    // Events come one at a time over the long connection, thousands a second at peak: one render per frame, not
    // one per event. A frame is drawn at once for an event after a quiet spell; while events stream, at most four
    // a second: the list then moves faster than anyone reads, and each frame redraws the whole screen (ink), which
    // would otherwise take the CPU the events need.
    const frameMs = props.frameMs ?? 250;
    let queue: TailAction[] = [];
    let timer: NodeJS.Timeout | undefined;
    let lastFrame = -Infinity;
    // A frame that took long to draw (a slow terminal, a busy machine) spaces the next ones out: drawing never takes
    // more than about a tenth of the time, so the events (and their acks) keep flowing.
    let interval = frameMs;
    const flush = (): void => {
      timer = undefined;
      const actions = queue;
      queue = [];
      if (actions.length === 0) return;
      lastFrame = performance.now();
      interval = Math.min(1000, Math.max(frameMs, frameCost.current * 10));
      dispatch({ type: 'batch', actions });
    };
    const unsubscribe = channel.subscribe((action) => {
      queue.push(action);
      timer ??= setTimeout(flush, Math.max(0, lastFrame + interval - performance.now()));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [channel, props.frameMs]);
  useEffect(() => {
    // Redraw the uptime once a second.
    const timer = setInterval(() => setTick(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  useEffect(() => {
    if (props.width !== undefined && props.height !== undefined) return;
    const onResize = (): void => dispatch({ type: 'resize', ...size() });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, props.width, props.height]);

  const report = (promise: Promise<string>): void => {
    void promise.then(
      (text) => dispatch({ type: 'message', text }),
      (error: unknown) => dispatch({ type: 'message', text: error instanceof Error ? error.message : String(error) }),
    );
  };

  // Keys can arrive faster than renders, several in one chunk, and this handler may still be the previous
  // render's: walk the keys one by one from the newest state, which the reducer reaches the same way.
  const latest = useRef(state);
  latest.current = state;
  useInput(
    (input, key) => {
      const chunk = toKeyPress(input, key);
      let current = latest.current;
      for (const press of splitKeys(chunk)) {
        const before = current;
        current = keyReducer(before, press);
        if (before.filterInput !== undefined) continue;
        const pane = before.details && selectedEvent(before) ? 'details' : 'list';
        const selected = selectedEvent(before);
        switch (commandForKey(press, pane)) {
          case 'save':
            if (selected) report(onSave(selected));
            break;
          case 'redeliver':
            if (selected) report(onRedeliver(selected));
            break;
          case 'quit':
            onQuit();
            exit();
            return;
          default:
            break;
        }
      }
      latest.current = current;
      dispatch({ type: 'key', key: chunk });
    },
    { isActive: isRawModeSupported },
  );

  const { width, height } = props.width !== undefined && props.height !== undefined ? { width: props.width, height: props.height } : state.screen;
  return <TailView state={state} appId={props.appId} domain={props.domain} width={width} height={height} now={Math.max(tick, state.startedAt)} color={props.color ?? true} />;
}
