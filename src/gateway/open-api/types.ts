// The local Open API's records and settings. No imports: the replay report reads these types and must stay light.

/** Which event a call belongs to, and how that was decided. */
export interface CallEventLink {
  event_id: string;
  event_type?: string;
  /** The gateway's message_id of the push (delivery) the call belongs to, when known. */
  push?: string;
  /** Which push of the event (1 the first, 2 and up re-pushes), when known. */
  attempt?: number;
  /**
   * How the call was tied to the event: by an id it names that the event's envelope carries (`message_id`,
   * `card_token`; `receive_id`: the chat or user it sends to, the weakest), by an id an earlier call of the event
   * created (`created_id`), or because it was the only delivery in flight for the app when the call came (`in_flight`).
   */
  by: 'message_id' | 'card_token' | 'created_id' | 'receive_id' | 'in_flight';
}

/** One call an app made to the gateway's Open API, as the control API and `--json` list it. */
export interface CallRecord {
  /** 1, 2, … in order of arrival, never reused while the gateway runs. */
  seq: number;
  at: string;
  /** The app that made the call: from its access token, or from the body of a token request. */
  app_id?: string;
  method: string;
  /** The path as called, without the query. */
  path: string;
  query: Record<string, string | string[]>;
  /** The JSON body with credentials and tokens redacted; `{ "_bytes": n, "_type": "…" }` for a body that is not JSON. */
  body?: unknown;
  /** What the call does, in one word: `token`, `send`, `reply`, `update`, `patch`, `recall`, `reaction`, `card_update`, `card_create`, `card_stream`, `read`, `other`, `unknown_path`. */
  kind: string;
  /** The API as the SDK names it (`im.v1.message.reply`), or the method and path template. */
  api: string;
  /** The id the call acts on (the message it replies to, the chat it sends to, the card it updates). */
  target?: string;
  /** The text it sends, when it sends text (a `text` message, a card's title…). */
  text?: string;
  /**
   * A send or reply whose `uuid` an earlier call of the app used within the hour: the platform sends nothing again and
   * answers with that message, this id. Such a call is not held against `--max-calls-per-event`.
   */
  repeat_of?: string;
  /** HTTP status of the answer. */
  status: number;
  /** `code` of the answer (-1 when the answer is not JSON, as for an unknown path). */
  code: number;
  /** The answer's body (tokens redacted). */
  answer: unknown;
  /** From receiving the request to answering it. */
  ms: number;
  /** The fault that shaped the answer, when one did: its id and its words (`fault-3 api-rate-limit 3`). */
  fault?: string;
  fault_id?: string;
  event?: CallEventLink;
}

/** A fault of the Open API in force: it shapes the next `count` matching calls (0: every one until cleared). */
export interface OpenApiFault {
  /** The gateway's fault id (`fault-3`), as the resilience report names it. */
  id: string;
  kind: 'api-rate-limit' | 'api-5xx' | 'api-slow';
  /** As words: `api-rate-limit 3`. */
  spec: string;
  count: number;
  /** Only calls whose path contains this (default: every call but token requests). */
  path?: string;
  status?: number;
  code?: number;
  ms?: number;
  /** Calls shaped so far. */
  used: number;
}

export interface CallFilter {
  /** Only calls with a `seq` greater than this. */
  after?: number;
  eventId?: string;
  /** Only calls tied to this push (the gateway's message_id of a delivery). */
  push?: string;
}
