// A callback's answer (card.action.trigger, url.preview.get, the legacy card action) is what the user sees: a toast,
// a card that replaces the clicked one, a link preview. It is read from the HTTP body or the ack's data, checked
// against the answer's schema (schemas/answer-<type>.schema.json), and summed up in a few words for the row.
// The same code judges answers over HTTP, through the gateway, and in `validate --answer`.
import type { CompiledSchema, ValidationError } from '../catalog/schemas.js';
import { isCallbackType, isRecord } from '../protocol/envelope-fields.js';
import type { AttemptOutcome, PlannedDelivery, Transport } from './deliveries.js';
import { judgeCallbackAnswer } from './verdict.js';

/** The error the Feishu client shows for a failed callback, as far as anything public says. */
export interface ClientError {
  code: number;
  /** What the user sees. */
  words: string;
  /** What it means, and where that comes from (the official documentation does not list these codes where we could read it). */
  meaning: string;
}

/**
 * The client's error codes for card callbacks. Not found in the official documentation we could read: the meanings
 * are as SDK and bot maintainers reported them (NousResearch/hermes-agent #8764, #10073; scitix/siclaw #392;
 * excitedjs/dreamux #267; baileyh8/hermes-feishu-streaming-card #227). The words are the client's, as reported.
 */
export const CLIENT_ERRORS = {
  200340: {
    code: 200340,
    words: '出错了，请稍后重试 code: 200340',
    meaning: 'no usable answer from the callback URL: none is configured, the URL is not valid, or it did not answer 200 (reported, quoting the docs)',
  },
  200671: { code: 200671, words: '出错了，请稍后重试 code: 200671', meaning: 'no valid answer within 3 s (reported)' },
  200672: { code: 200672, words: '出错了，请稍后重试 code: 200672', meaning: 'the answer has an illegal format (card_update_illegal_format, reported)' },
  200673: { code: 200673, words: '出错了，请稍后重试 code: 200673', meaning: 'the answer carries a card the client will not show (reported for some schema 2.0 cards in a raw answer)' },
} as const satisfies Record<number, ClientError>;

/** One thing wrong with an answer: where (a JSON pointer into the answer) and what. */
export interface AnswerProblem {
  pointer: string;
  message: string;
}

export interface CallbackAnswer {
  /** The answer as parsed; undefined when it is not JSON. */
  value?: unknown;
  /** A few words for the row: `toast success "Approved"`, `card raw (3 elements)`, `nothing`. */
  summary: string;
  /** Empty when the answer is good. */
  problems: AnswerProblem[];
  /** What the user would see in the client, when the answer is not good. */
  clientError?: ClientError;
}

function quote(text: string, limit = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > limit ? `${flat.slice(0, limit)}…` : flat);
}

function toastWords(toast: unknown): string | undefined {
  if (!isRecord(toast)) return undefined;
  const type = typeof toast.type === 'string' ? toast.type : 'info';
  const i18n = isRecord(toast.i18n) ? Object.values(toast.i18n).find((v): v is string => typeof v === 'string') : undefined;
  const text = typeof toast.content === 'string' ? toast.content : i18n;
  return `toast ${type}${text !== undefined ? ` ${quote(text)}` : ''}`;
}

function elementCount(card: Record<string, unknown>): number | undefined {
  if (Array.isArray(card.elements)) return card.elements.length;
  if (isRecord(card.body) && Array.isArray(card.body.elements)) return card.body.elements.length;
  if (isRecord(card.i18n_elements)) {
    const first = Object.values(card.i18n_elements).find(Array.isArray);
    if (first) return first.length;
  }
  return undefined;
}

function elements(count: number | undefined): string {
  return count === undefined ? '' : ` (${count} element${count === 1 ? '' : 's'})`;
}

function cardWords(card: unknown): string | undefined {
  if (!isRecord(card)) return undefined;
  if (card.type === 'template' && isRecord(card.data)) {
    const id = typeof card.data.template_id === 'string' ? card.data.template_id : '?';
    const version = typeof card.data.template_version_name === 'string' ? ` v${card.data.template_version_name}` : '';
    return `card template ${id}${version}`;
  }
  const type = typeof card.type === 'string' ? card.type : '?';
  return `card ${type}${isRecord(card.data) ? elements(elementCount(card.data)) : ''}`;
}

/** A few words for an answer's content. */
export function summarizeAnswer(callbackType: string, value: unknown): string {
  if (!isRecord(value)) return JSON.stringify(value) ?? 'nothing';
  const parts: string[] = [];
  const toast = toastWords(value.toast);
  if (toast) parts.push(toast);
  if (callbackType === 'card.action.legacy') {
    if ('elements' in value || 'i18n_elements' in value || 'header' in value) parts.push(`new card${elements(elementCount(value))}`);
  } else {
    const card = cardWords(value.card);
    if (card) parts.push(card);
  }
  if (isRecord(value.inline)) parts.push(`inline${typeof value.inline.title === 'string' ? ` ${quote(value.inline.title)}` : ''}`);
  if (parts.length === 0) return Object.keys(value).length === 0 ? 'nothing ({}: no toast, the card stays)' : `{${Object.keys(value).slice(0, 3).join(', ')}}`;
  return parts.join(' + ');
}

function jsonPointerToWords(error: ValidationError): AnswerProblem {
  const pointer = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { pointer, message: `${JSON.stringify(error.data)} is not one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { pointer: `${error.instancePath}/${params.additionalProperty}`, message: 'is not a field of this object' };
  }
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { pointer: `${error.instancePath}/${params.missingProperty}`, message: 'is required' };
  }
  return { pointer, message: error.message ?? error.keyword };
}

/**
 * Read and check an answer's body. `schema` is the answer's schema (answer-<type>); without one, only JSON-ness is
 * checked. Problems name JSON pointers into the answer.
 */
export function checkCallbackAnswer(callbackType: string, body: string | undefined, schema: CompiledSchema | undefined): CallbackAnswer {
  const text = body ?? '';
  if (text.trim() === '') {
    return {
      summary: 'an empty body',
      problems: [{ pointer: '/', message: 'the answer is empty: a callback is answered with a JSON object ({} when there is nothing to show)' }],
      clientError: CLIENT_ERRORS[200672],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { summary: 'not JSON', problems: [{ pointer: '/', message: 'the answer is not JSON' }], clientError: CLIENT_ERRORS[200672] };
  }
  const summary = summarizeAnswer(callbackType, value);
  if (!isRecord(value)) {
    return { value, summary, problems: [{ pointer: '/', message: `the answer is ${Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : String(value)}, not a JSON object` }], clientError: CLIENT_ERRORS[200672] };
  }
  if (schema === undefined || schema.validate(value)) return { value, summary, problems: [] };
  const errors = (schema.validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const problems = errors.map(jsonPointerToWords);
  return { value, summary, problems, clientError: CLIENT_ERRORS[200672] };
}

/** The one-line reason of a failed answer: `/toast/type: "fancy" is not one of … — the client shows 出错了… code: 200672`. */
export function answerProblemLine(answer: CallbackAnswer): string {
  const first = answer.problems[0];
  const more = answer.problems.length > 1 ? ` (and ${answer.problems.length - 1} more)` : '';
  const what = first ? `${first.pointer}: ${first.message}${more}` : 'the answer is not good';
  return `wrong answer ${what}`;
}

/** Whether a failed callback delivery would leave the user with 200671 (too late) or 200340 (no usable answer). */
function clientErrorOfFailure(outcome: AttemptOutcome): ClientError {
  return outcome.verdict === 'late' || outcome.verdict === 'no-answer' ? CLIENT_ERRORS[200671] : CLIENT_ERRORS[200340];
}

/** An attempt's outcome with its callback answer judged: a delivered callback with a bad answer fails. */
export function judgeAttemptAnswer(delivery: PlannedDelivery, outcome: AttemptOutcome, schemaFor: (callbackType: string) => CompiledSchema | undefined): AttemptOutcome {
  if (!isCallbackType(delivery.eventType)) return outcome;
  if (!outcome.ok) return { ...outcome, clientError: clientErrorOfFailure(outcome) };
  const answer = checkCallbackAnswer(delivery.eventType, outcome.body, schemaFor(delivery.eventType));
  if (answer.problems.length === 0) return { ...outcome, answer };
  const verdict = judgeCallbackAnswer(delivery.eventType, answerProblemLine(answer), answer.clientError);
  return {
    ...outcome,
    ok: false,
    verdict: verdict.kind,
    ...(verdict.reason !== undefined ? { error: verdict.reason } : {}),
    ...(verdict.hint !== undefined ? { hint: verdict.hint } : {}),
    answer,
    ...(answer.clientError ? { clientError: answer.clientError } : {}),
  };
}

/** A transport whose callback deliveries have their answers read and checked (HTTP and the gateway alike). */
export function withAnswerCheck(transport: Transport, schemaFor: (callbackType: string) => CompiledSchema | undefined): Transport {
  return {
    send: async (delivery, attempt) => judgeAttemptAnswer(delivery, await transport.send(delivery, attempt), schemaFor),
    ...(transport.encode ? { encode: transport.encode.bind(transport) } : {}),
    ...(transport.close ? { close: (options?: { force?: boolean }) => (transport.close as NonNullable<Transport['close']>)(options) } : {}),
  };
}
