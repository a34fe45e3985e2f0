import { globToRegExp } from '../catalog/glob.js';
import { commandForKey, type KeyFlags } from '../ui/keys.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ForwardResult {
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
}

/** One received event as the UI and the sinks see it. */
export interface TailEvent {
  /** 1-based arrival number. */
  seq: number;
  receivedAt: number;
  eventType: string;
  eventId: string;
  summary: string;
  /** undefined when the type has no schema. */
  valid: boolean | undefined;
  findings: string[];
  /** The same event_id arrived before (the platform re-pushes; handlers must be idempotent). */
  duplicate: boolean;
  envelope: unknown;
  forward?: ForwardResult;
}

export interface TailState {
  connection: ConnectionState;
  connectionError?: string;
  startedAt: number;
  received: number;
  invalid: number;
  duplicates: number;
  perType: Record<string, number>;
  /** Newest last; capped at `capacity`. */
  events: TailEvent[];
  capacity: number;
  /** seq of the selected event, or undefined to follow the newest. */
  selected: number | undefined;
  following: boolean;
  details: boolean;
  filter: string;
  /** The filter being typed after `/`, or undefined when not typing. */
  filterInput: string | undefined;
  /** A transient line for the footer (saved to …, forwarded …). */
  message: string | undefined;
}

export type TailAction =
  | { type: 'connection'; state: ConnectionState; error?: string }
  | { type: 'event'; event: TailEvent }
  | { type: 'forwarded'; seq: number; result: ForwardResult }
  | { type: 'move'; delta: number }
  | { type: 'toggle-details' }
  | { type: 'toggle-follow' }
  | { type: 'filter-start' }
  | { type: 'filter-input'; text: string }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-backspace' }
  | { type: 'filter-commit' }
  | { type: 'filter-cancel' }
  | { type: 'clear' }
  | { type: 'message'; text: string | undefined }
  /** A key press: what it does to the state depends on the state (typing a filter or not). */
  | { type: 'key'; input: string; key: KeyFlags };

export function initialTailState(options: { capacity?: number; now?: number } = {}): TailState {
  return {
    connection: 'connecting',
    startedAt: options.now ?? Date.now(),
    received: 0,
    invalid: 0,
    duplicates: 0,
    perType: {},
    events: [],
    capacity: options.capacity ?? 5000,
    selected: undefined,
    following: true,
    details: false,
    filter: '',
    filterInput: undefined,
    message: undefined,
  };
}

/** The events the list shows: those matching the filter (a type glob, or a substring of the type). */
export function visibleEvents(state: TailState): TailEvent[] {
  if (state.filter === '') return state.events;
  const glob = /[*?]/.test(state.filter) ? globToRegExp(state.filter) : undefined;
  return state.events.filter((e) => (glob ? glob.test(e.eventType) : e.eventType.includes(state.filter)));
}

/** The selected event: the chosen one, or the newest visible one while following. */
export function selectedEvent(state: TailState): TailEvent | undefined {
  const visible = visibleEvents(state);
  if (state.selected !== undefined) {
    const found = visible.find((e) => e.seq === state.selected);
    if (found) return found;
  }
  return visible.at(-1);
}

export function tailReducer(state: TailState, action: TailAction): TailState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.state, ...(action.error !== undefined ? { connectionError: action.error } : {}) };
    case 'event': {
      const e = action.event;
      const events = state.events.length >= state.capacity ? [...state.events.slice(state.events.length - state.capacity + 1), e] : [...state.events, e];
      const selectedStillThere = state.selected === undefined || events.some((x) => x.seq === state.selected);
      return {
        ...state,
        received: state.received + 1,
        invalid: state.invalid + (e.valid === false ? 1 : 0),
        duplicates: state.duplicates + (e.duplicate ? 1 : 0),
        perType: { ...state.perType, [e.eventType]: (state.perType[e.eventType] ?? 0) + 1 },
        events,
        selected: selectedStillThere ? state.selected : undefined,
      };
    }
    case 'forwarded':
      return { ...state, events: state.events.map((e) => (e.seq === action.seq ? { ...e, forward: action.result } : e)) };
    case 'move': {
      const visible = visibleEvents(state);
      if (visible.length === 0) return state;
      const current = selectedEvent(state);
      const index = current ? visible.indexOf(current) : visible.length - 1;
      const next = Math.max(0, Math.min(visible.length - 1, index + action.delta));
      const atNewest = next === visible.length - 1;
      // Moving up pauses following; coming back to the newest resumes it.
      return { ...state, selected: atNewest ? undefined : visible[next]?.seq, following: atNewest };
    }
    case 'toggle-details':
      return { ...state, details: !state.details };
    case 'toggle-follow': {
      if (state.following) return { ...state, following: false, selected: selectedEvent(state)?.seq };
      return { ...state, following: true, selected: undefined };
    }
    case 'filter-start':
      return { ...state, filterInput: state.filter };
    case 'filter-input':
      return { ...state, filterInput: action.text };
    case 'filter-type':
      return { ...state, filterInput: (state.filterInput ?? '') + action.text };
    case 'filter-backspace':
      return { ...state, filterInput: (state.filterInput ?? '').slice(0, -1) };
    case 'filter-commit':
      return { ...state, filter: (state.filterInput ?? '').trim(), filterInput: undefined, selected: undefined, following: true };
    case 'filter-cancel':
      return { ...state, filterInput: undefined };
    case 'clear':
      return { ...state, events: [], selected: undefined, following: true, message: 'cleared' };
    case 'message':
      return { ...state, message: action.text };
    case 'key':
      return keyReducer(state, action.input, action.key);
  }
}

/** What a key does to the state; save, re-deliver and quit are side effects left to the UI. */
function keyReducer(state: TailState, input: string, key: KeyFlags): TailState {
  if (state.filterInput !== undefined) {
    if (key.return) return tailReducer(state, { type: 'filter-commit' });
    if (key.escape) return tailReducer(state, { type: 'filter-cancel' });
    if (key.backspace || key.delete) return tailReducer(state, { type: 'filter-backspace' });
    if (input && !key.ctrl && !key.meta) return tailReducer(state, { type: 'filter-type', text: input });
    return state;
  }
  switch (commandForKey(input, key)) {
    case 'up':
      return tailReducer(state, { type: 'move', delta: -1 });
    case 'down':
      return tailReducer(state, { type: 'move', delta: 1 });
    case 'top':
      return tailReducer(state, { type: 'move', delta: -Infinity });
    case 'bottom':
      return tailReducer(state, { type: 'move', delta: Infinity });
    case 'details':
      return tailReducer(state, { type: 'toggle-details' });
    case 'filter':
      return tailReducer(state, { type: 'filter-start' });
    case 'pause':
      return tailReducer(state, { type: 'toggle-follow' });
    case 'clear':
      return tailReducer(state, { type: 'clear' });
    default:
      return state;
  }
}
