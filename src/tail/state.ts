import { globToRegExp } from '../catalog/glob.js';
import { commandForKey, splitKeys, type KeyPress } from './keys.js';
import { detailsVisualLines } from './details.js';
import { tailLayout } from './layout.js';

export { detailsLines, type DetailsLine } from './details.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ForwardResult {
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
  /** For a callback: the local handler's answer in a few words (`toast success "Approved"`), returned in the ack. */
  answer?: string;
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
  /** --filter given on the command line: events of other types are acknowledged and dropped before the UI. */
  sessionFilters: readonly string[];
  /** Events dropped by `sessionFilters`. */
  dropped: number;
  /** Newest last; capped at `capacity`. */
  events: TailEvent[];
  capacity: number;
  /** seq of the selected event, or undefined to follow the newest. */
  selected: number | undefined;
  following: boolean;
  details: boolean;
  /** First line of the details body shown. */
  detailsScroll: number;
  filter: string;
  /** The filter being typed after `/`, or undefined when not typing. */
  filterInput: string | undefined;
  /** A transient line for the footer (saved to …, forwarded …). */
  message: string | undefined;
  /** The terminal's size, for the layout (and so for what a page of the details pane is). */
  screen: { width: number; height: number };
}

export type TailAction =
  | { type: 'connection'; state: ConnectionState; error?: string }
  | { type: 'event'; event: TailEvent }
  /** Events dropped by --filter before they reached the UI. */
  | { type: 'dropped'; count: number }
  | { type: 'forwarded'; seq: number; result: ForwardResult }
  | { type: 'message'; text: string | undefined }
  | { type: 'resize'; width: number; height: number }
  /** A key press, or several typed at once: what each does depends on the state (typing a filter, details open). */
  | { type: 'key'; key: KeyPress }
  /** Everything that arrived during one frame, applied in order in one render. */
  | { type: 'batch'; actions: TailAction[] };

export function initialTailState(options: { capacity?: number; now?: number; filters?: readonly string[]; width?: number; height?: number } = {}): TailState {
  return {
    connection: 'connecting',
    startedAt: options.now ?? Date.now(),
    received: 0,
    invalid: 0,
    duplicates: 0,
    perType: {},
    sessionFilters: options.filters ?? [],
    dropped: 0,
    events: [],
    capacity: options.capacity ?? 5000,
    selected: undefined,
    following: true,
    details: false,
    detailsScroll: 0,
    filter: '',
    filterInput: undefined,
    message: undefined,
    screen: { width: options.width ?? 80, height: options.height ?? 24 },
  };
}

function typeMatcher(filter: string): (eventType: string) => boolean {
  if (/[*?]/.test(filter)) {
    const glob = globToRegExp(filter);
    return (t) => glob.test(t);
  }
  return (t) => t.includes(filter);
}

/** The events the list shows: those matching the filter (a type glob, or a substring of the type). */
export function visibleEvents(state: TailState): TailEvent[] {
  if (state.filter === '') return state.events;
  const matches = typeMatcher(state.filter);
  return state.events.filter((e) => matches(e.eventType));
}

/** The selected event: the chosen one, or the newest visible one while following. */
export function selectedEvent(state: TailState, visible: TailEvent[] = visibleEvents(state)): TailEvent | undefined {
  if (state.selected !== undefined) {
    const found = findBySeq(visible, state.selected);
    if (found) return found;
  }
  return visible.at(-1);
}

/** Events are in seq order: binary search. */
function findBySeq(events: TailEvent[], seq: number): TailEvent | undefined {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = events[mid] as TailEvent;
    if (e.seq === seq) return e;
    if (e.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Append events in one copy of the list (a frame's worth at a time), keeping the newest `capacity`. */
function appendEvents(state: TailState, added: TailEvent[]): TailState {
  if (added.length === 0) return state;
  const all = state.events.concat(added);
  const events = all.length > state.capacity ? all.slice(all.length - state.capacity) : all;
  const perType = { ...state.perType };
  let invalid = 0;
  let duplicates = 0;
  for (const e of added) {
    perType[e.eventType] = (perType[e.eventType] ?? 0) + 1;
    if (e.valid === false) invalid++;
    if (e.duplicate) duplicates++;
  }
  const oldest = events[0]?.seq ?? Infinity;
  const selectedStillThere = state.selected === undefined || state.selected >= oldest;
  return {
    ...state,
    received: state.received + added.length,
    invalid: state.invalid + invalid,
    duplicates: state.duplicates + duplicates,
    perType,
    events,
    ...(selectedStillThere ? {} : { selected: undefined, following: true, detailsScroll: 0 }),
  };
}

export function tailReducer(state: TailState, action: TailAction): TailState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.state, ...(action.error !== undefined ? { connectionError: action.error } : {}) };
    case 'event':
      return appendEvents(state, [action.event]);
    case 'dropped':
      return { ...state, dropped: state.dropped + action.count };
    case 'forwarded':
      return { ...state, events: state.events.map((e) => (e.seq === action.seq ? { ...e, forward: action.result } : e)) };
    case 'message':
      return { ...state, message: action.text };
    case 'resize':
      return { ...state, screen: { width: action.width, height: action.height } };
    case 'key':
      return splitKeys(action.key).reduce(keyReducer, state);
    case 'batch': {
      let next = state;
      let pending: TailEvent[] = [];
      for (const inner of action.actions) {
        if (inner.type === 'event') pending.push(inner.event);
        else {
          next = tailReducer(appendEvents(next, pending), inner);
          pending = [];
        }
      }
      return appendEvents(next, pending);
    }
  }
}

function moveSelection(state: TailState, delta: number): TailState {
  const visible = visibleEvents(state);
  if (visible.length === 0) return state;
  const current = selectedEvent(state, visible);
  const index = current ? visible.indexOf(current) : visible.length - 1;
  const next = Math.max(0, Math.min(visible.length - 1, index + delta));
  const atNewest = next === visible.length - 1;
  const moved = visible[next]?.seq !== current?.seq;
  // Moving up pauses following; coming back to the newest resumes it.
  return { ...state, selected: atNewest ? undefined : visible[next]?.seq, following: atNewest, ...(moved ? { detailsScroll: 0 } : {}) };
}

function scrollDetails(state: TailState, delta: number): TailState {
  const visible = visibleEvents(state);
  const event = selectedEvent(state, visible);
  if (!event) return state;
  const page = tailLayout(state, true).detailsPage;
  // By the lines on the screen: a long line wraps to several.
  const max = Math.max(0, detailsVisualLines(event, state.screen.width).length - page);
  const detailsScroll = Math.max(0, Math.min(max, state.detailsScroll + delta));
  // Reading an event holds it: new arrivals do not replace what is being read.
  return { ...state, detailsScroll, following: false, selected: event.seq };
}

/** Keep the selected event selected while new ones arrive. */
function hold(state: TailState): TailState {
  const selected = selectedEvent(state);
  return selected ? { ...state, selected: selected.seq, following: false } : state;
}

/** What one key does to the state; save, re-deliver and quit are side effects left to the UI. */
export function keyReducer(state: TailState, key: KeyPress): TailState {
  if (state.filterInput !== undefined) {
    if (key.name === 'return') return { ...state, filter: state.filterInput.trim(), filterInput: undefined, selected: undefined, following: true, detailsScroll: 0 };
    if (key.name === 'escape') return { ...state, filterInput: undefined };
    if (key.name === 'backspace') return { ...state, filterInput: [...state.filterInput].slice(0, -1).join('') };
    if (key.input && !key.ctrl && !key.meta && !key.name) return { ...state, filterInput: state.filterInput + key.input };
    return state;
  }
  const details = state.details && selectedEvent(state) !== undefined;
  const page = details ? tailLayout(state, true).detailsPage : tailLayout(state, false).listRows;
  switch (commandForKey(key, details ? 'details' : 'list')) {
    case 'up':
      return details ? scrollDetails(state, -1) : moveSelection(state, -1);
    case 'down':
      return details ? scrollDetails(state, 1) : moveSelection(state, 1);
    case 'page-up':
      return details ? scrollDetails(state, -page) : moveSelection(state, -page);
    case 'page-down':
      return details ? scrollDetails(state, page) : moveSelection(state, page);
    case 'top':
      return details ? scrollDetails(state, -Infinity) : moveSelection(state, -Infinity);
    case 'bottom':
      return details ? scrollDetails(state, Infinity) : moveSelection(state, Infinity);
    case 'previous':
      return hold(moveSelection(state, -1));
    case 'next':
      return hold(moveSelection(state, 1));
    case 'details': {
      const selected = selectedEvent(state);
      // Opening the pane holds the event it shows.
      return selected ? { ...state, details: true, detailsScroll: 0, following: false, selected: selected.seq } : state;
    }
    case 'close': {
      // Closing the pane on the newest event goes back to following.
      const atNewest = state.selected === undefined || state.selected === visibleEvents(state).at(-1)?.seq;
      return { ...state, details: false, detailsScroll: 0, ...(atNewest ? { selected: undefined, following: true } : {}) };
    }
    case 'filter':
      return { ...state, filterInput: state.filter };
    case 'pause':
      if (state.following) return { ...state, following: false, selected: selectedEvent(state)?.seq };
      return { ...state, following: true, selected: undefined, details: false, detailsScroll: 0 };
    case 'clear':
      return { ...state, events: [], selected: undefined, following: true, details: false, detailsScroll: 0, message: 'cleared' };
    default:
      return state;
  }
}
