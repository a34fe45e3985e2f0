// The Open API calls a bot makes, answered with the shapes of the platform (as the official SDK's types declare
// them); every other API the SDK knows is answered {"code":0,"msg":"success","data":{}}.
import { isRecord } from '../../protocol/envelope-fields.js';
import type { NamedId } from './event-links.js';
import { newId } from './ids.js';

export interface CallContext {
  method: string;
  path: string;
  /** Path parameters of the matched template (`message_id`, `card_id`…). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, or undefined. */
  body: Record<string, unknown> | undefined;
  appId: string;
  tenantKey: string;
  messages: MessageBook;
}

export interface RouteAnswer {
  status: number;
  body: unknown;
  /** The call repeated an earlier one's `uuid` within the hour: the platform sends nothing again; this is that message. */
  repeatOf?: string;
  /** Ids this call created (a message, a card, a reaction): later calls on them belong to the same event. */
  created?: string[];
}

export interface Route {
  method: string;
  template: string;
  /** As the SDK names it: `im.v1.message.reply`. */
  api: string;
  kind: string;
  /** The ids the call names, for tying it to an event. */
  ids(ctx: CallContext): NamedId[];
  target(ctx: CallContext): string | undefined;
  text(ctx: CallContext): string | undefined;
  answer(ctx: CallContext): RouteAnswer;
}

/** What the gateway knows of a message: from an event that carried it, or from the call that sent it. */
interface MessageInfo {
  chatId: string;
  rootId?: string;
  threadId?: string;
}

export interface MessageBook {
  noteEnvelope(envelope: unknown): void;
  get(messageId: string): MessageInfo | undefined;
  set(messageId: string, info: MessageInfo): void;
  /** A stable chat for a receiver that is not a chat (a user's p2p chat with the bot). */
  chatFor(receiveIdType: string, receiveId: string): string;
  /** The message an earlier send or reply of the app with this `uuid` made within the hour, if any. */
  byUuid(appId: string, uuid: string): Record<string, unknown> | undefined;
  rememberUuid(appId: string, uuid: string, message: Record<string, unknown>): void;
}

/** The platform sends at most one message per `uuid` within an hour. */
const UUID_WINDOW_MS = 60 * 60 * 1000;

const BOOK_LIMIT = 50_000;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function createMessageBook(): MessageBook {
  const messages = new Map<string, MessageInfo>();
  const chats = new Map<string, string>();
  const uuids = new Map<string, { at: number; message: Record<string, unknown> }>();
  const set = (id: string, info: MessageInfo): void => {
    messages.set(id, info);
    if (messages.size > BOOK_LIMIT) messages.delete(messages.keys().next().value as string);
  };
  return {
    noteEnvelope(envelope) {
      if (!isRecord(envelope) || !isRecord(envelope.event)) return;
      const message = envelope.event.message;
      if (!isRecord(message)) return;
      const id = str(message.message_id);
      const chatId = str(message.chat_id);
      if (id === undefined || chatId === undefined) return;
      const rootId = str(message.root_id);
      const threadId = str(message.thread_id);
      set(id, { chatId, ...(rootId !== undefined ? { rootId } : {}), ...(threadId !== undefined ? { threadId } : {}) });
    },
    get: (id) => messages.get(id),
    set,
    byUuid(appId, uuid) {
      const entry = uuids.get(`${appId} ${uuid}`);
      return entry !== undefined && Date.now() - entry.at < UUID_WINDOW_MS ? entry.message : undefined;
    },
    rememberUuid(appId, uuid, message) {
      uuids.set(`${appId} ${uuid}`, { at: Date.now(), message });
      if (uuids.size > BOOK_LIMIT) uuids.delete(uuids.keys().next().value as string);
    },
    chatFor(type, id) {
      if (type === 'chat_id') return id;
      const key = `${type}:${id}`;
      let chat = chats.get(key);
      if (chat === undefined) {
        chat = newId.chat();
        chats.set(key, chat);
        if (chats.size > BOOK_LIMIT) chats.delete(chats.keys().next().value as string);
      }
      return chat;
    },
  };
}

/** The answer of a call whose body or parameters the platform refuses (HTTP 400). */
export function fieldViolation(field: string, description: string): RouteAnswer {
  return {
    status: 400,
    body: { code: 99992402, msg: 'field validation failed', error: { log_id: newId.log(), field_violations: [{ field, description }] } },
  };
}

export const success = (data: unknown = {}): RouteAnswer => ({ status: 200, body: { code: 0, msg: 'success', data } });

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The first text a card shows: its title, else its first text element. */
function cardText(card: unknown): string | undefined {
  if (!isRecord(card)) return undefined;
  const header = isRecord(card.header) ? card.header : undefined;
  const title = isRecord(header?.title) ? str(header.title.content) : undefined;
  if (title !== undefined) return title;
  const body = isRecord(card.body) ? card.body : card;
  const elements = Array.isArray(body.elements) ? body.elements : [];
  for (const element of elements) {
    if (!isRecord(element)) continue;
    const text = str(element.content) ?? (isRecord(element.text) ? str(element.text.content) : undefined);
    if (text !== undefined) return text;
  }
  if (isRecord(card.data) && str(card.data.card_id) !== undefined) return `card ${String(card.data.card_id)}`;
  if (isRecord(card.data) && str(card.data.template_id) !== undefined) return `template ${String(card.data.template_id)}`;
  return undefined;
}

/** What a message says, in a few words: the text of a text message, a post's title, a card's title. */
export function messageText(msgType: unknown, content: unknown): string | undefined {
  const parsed = parseJson(content);
  if (msgType === 'text' && isRecord(parsed)) return str(parsed.text);
  if (msgType === 'post' && isRecord(parsed)) {
    const post = isRecord(parsed.zh_cn) ? parsed.zh_cn : isRecord(parsed.en_us) ? parsed.en_us : parsed;
    const title = str(post.title);
    if (title !== undefined) return title;
    const lines = Array.isArray(post.content) ? post.content : [];
    for (const line of lines) for (const item of Array.isArray(line) ? line : []) if (isRecord(item) && str(item.text) !== undefined) return str(item.text);
    return undefined;
  }
  if (msgType === 'interactive') return cardText(parsed);
  return typeof msgType === 'string' ? `[${msgType}]` : undefined;
}

/** The card a message's content refers to by id (`{"type":"card","data":{"card_id":…}}`), for CardKit streaming. */
function referencedCard(content: unknown): string | undefined {
  const parsed = parseJson(content);
  return isRecord(parsed) && parsed.type === 'card' && isRecord(parsed.data) ? str(parsed.data.card_id) : undefined;
}

const nowMs = (): string => String(Date.now());

function messageObject(ctx: CallContext, info: { messageId: string; chatId: string; msgType: string; content: string; parentId?: string; rootId?: string; threadId?: string }): Record<string, unknown> {
  const at = nowMs();
  return {
    message_id: info.messageId,
    ...(info.rootId !== undefined ? { root_id: info.rootId } : {}),
    ...(info.parentId !== undefined ? { parent_id: info.parentId } : {}),
    ...(info.threadId !== undefined ? { thread_id: info.threadId } : {}),
    msg_type: info.msgType,
    create_time: at,
    update_time: at,
    deleted: false,
    updated: false,
    chat_id: info.chatId,
    sender: { id: ctx.appId, id_type: 'app_id', sender_type: 'app', tenant_key: ctx.tenantKey },
    body: { content: info.content },
  };
}

const RECEIVE_ID_TYPES = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'];

/**
 * Send a message once per `uuid`: a call that repeats a uuid of the last hour gets the first message back and sends
 * nothing (the platform's request de-duplication).
 */
function onceByUuid(ctx: CallContext, send: () => RouteAnswer): RouteAnswer {
  const uuid = str(ctx.body?.uuid);
  if (uuid === undefined) return send();
  const earlier = ctx.messages.byUuid(ctx.appId, uuid);
  if (earlier !== undefined) return { ...success(earlier), repeatOf: String(earlier.message_id) };
  const answer = send();
  const body = answer.body as { code?: number; data?: Record<string, unknown> };
  if (answer.status === 200 && body.code === 0 && body.data !== undefined) ctx.messages.rememberUuid(ctx.appId, uuid, body.data);
  return answer;
}

function requireMessageBody(ctx: CallContext): RouteAnswer | undefined {
  if (ctx.body === undefined) return fieldViolation('body', 'the body must be a JSON object');
  for (const field of ['msg_type', 'content']) if (typeof ctx.body[field] !== 'string' || ctx.body[field] === '') return fieldViolation(field, `${field} is required`);
  if (parseJson(ctx.body.content) === undefined) return { status: 400, body: { code: 230001, msg: 'invalid message content: content must be a JSON string', error: { log_id: newId.log() } } };
  return undefined;
}

function reply(ctx: CallContext): RouteAnswer {
  const parentId = ctx.params.message_id as string;
  const parent = ctx.messages.get(parentId);
  const chatId = parent?.chatId ?? newId.chat();
  const rootId = parent?.rootId ?? parentId;
  const messageId = newId.message();
  const threadId = ctx.body?.reply_in_thread === true ? (parent?.threadId ?? `omt_${messageId.slice(3, 19)}`) : parent?.threadId;
  ctx.messages.set(messageId, { chatId, rootId, ...(threadId !== undefined ? { threadId } : {}) });
  return {
    ...success(messageObject(ctx, { messageId, chatId, msgType: String(ctx.body?.msg_type), content: String(ctx.body?.content), parentId, rootId, ...(threadId !== undefined ? { threadId } : {}) })),
    created: [messageId],
  };
}

const none = (): NamedId[] => [];
const noText = (): undefined => undefined;
const pathMessage = (ctx: CallContext): NamedId[] => (ctx.params.message_id ? [{ id: ctx.params.message_id, by: 'message_id' }] : []);
const bodyText = (ctx: CallContext): string | undefined => messageText(ctx.body?.msg_type, ctx.body?.content);

function route(method: string, template: string, api: string, kind: string, parts: Partial<Pick<Route, 'ids' | 'target' | 'text'>> & Pick<Route, 'answer'>): Route {
  return { method, template, api, kind, ids: parts.ids ?? none, target: parts.target ?? (() => undefined), text: parts.text ?? noText, answer: parts.answer };
}

export const ROUTES: readonly Route[] = [
  route('POST', '/open-apis/im/v1/messages', 'im.v1.message.create', 'send', {
    ids: (ctx) => {
      const ids: NamedId[] = [];
      const card = referencedCard(ctx.body?.content);
      if (card !== undefined) ids.push({ id: card, by: 'created_id' });
      const receiveId = str(ctx.body?.receive_id);
      if (receiveId !== undefined) ids.push({ id: receiveId, by: 'receive_id' });
      return ids;
    },
    target: (ctx) => str(ctx.body?.receive_id),
    text: bodyText,
    answer(ctx) {
      const type = ctx.query.get('receive_id_type');
      if (type === null || type === '') return fieldViolation('receive_id_type', 'receive_id_type is required');
      if (!RECEIVE_ID_TYPES.includes(type)) return fieldViolation('receive_id_type', `receive_id_type must be one of ${RECEIVE_ID_TYPES.join(', ')}`);
      const refused = requireMessageBody(ctx);
      if (refused) return refused;
      const receiveId = str(ctx.body?.receive_id);
      if (receiveId === undefined) return fieldViolation('receive_id', 'receive_id is required');
      return onceByUuid(ctx, () => {
        const messageId = newId.message();
        const chatId = ctx.messages.chatFor(type, receiveId);
        ctx.messages.set(messageId, { chatId });
        return { ...success(messageObject(ctx, { messageId, chatId, msgType: String(ctx.body?.msg_type), content: String(ctx.body?.content) })), created: [messageId] };
      });
    },
  }),
  route('POST', '/open-apis/im/v1/messages/:message_id/reply', 'im.v1.message.reply', 'reply', {
    ids: (ctx) => {
      const card = referencedCard(ctx.body?.content);
      return [...pathMessage(ctx), ...(card !== undefined ? [{ id: card, by: 'created_id' as const }] : [])];
    },
    target: (ctx) => ctx.params.message_id,
    text: bodyText,
    answer(ctx) {
      const refused = requireMessageBody(ctx);
      if (refused) return refused;
      return onceByUuid(ctx, () => reply(ctx));
    },
  }),
  route('PUT', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.update', 'update', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    text: bodyText,
    answer(ctx) {
      const refused = requireMessageBody(ctx);
      if (refused) return refused;
      const messageId = ctx.params.message_id as string;
      const chatId = ctx.messages.get(messageId)?.chatId ?? newId.chat();
      const message = messageObject(ctx, { messageId, chatId, msgType: String(ctx.body?.msg_type), content: String(ctx.body?.content) });
      return success({ ...message, updated: true });
    },
  }),
  route('PATCH', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.patch', 'patch', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    text: (ctx) => cardText(parseJson(ctx.body?.content)),
    answer(ctx) {
      if (typeof ctx.body?.content !== 'string' || parseJson(ctx.body.content) === undefined) return fieldViolation('content', 'content must be the card as a JSON string');
      return success({});
    },
  }),
  route('DELETE', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.delete', 'recall', { ids: pathMessage, target: (ctx) => ctx.params.message_id, answer: () => success({}) }),
  route('POST', '/open-apis/im/v1/messages/:message_id/forward', 'im.v1.message.forward', 'forward', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    answer(ctx) {
      const type = ctx.query.get('receive_id_type') ?? '';
      const receiveId = str(ctx.body?.receive_id);
      if (type === '') return fieldViolation('receive_id_type', 'receive_id_type is required');
      if (receiveId === undefined) return fieldViolation('receive_id', 'receive_id is required');
      const messageId = newId.message();
      const chatId = ctx.messages.chatFor(type, receiveId);
      ctx.messages.set(messageId, { chatId });
      return { ...success(messageObject(ctx, { messageId, chatId, msgType: 'text', content: '{"text":""}' })), created: [messageId] };
    },
  }),
  route('POST', '/open-apis/im/v1/messages/:message_id/reactions', 'im.v1.messageReaction.create', 'reaction', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    text: (ctx) => (isRecord(ctx.body?.reaction_type) ? str(ctx.body.reaction_type.emoji_type) : undefined),
    answer(ctx) {
      const emoji = isRecord(ctx.body?.reaction_type) ? str(ctx.body.reaction_type.emoji_type) : undefined;
      if (emoji === undefined) return fieldViolation('reaction_type.emoji_type', 'reaction_type.emoji_type is required');
      const reactionId = newId.reaction();
      return {
        ...success({ reaction_id: reactionId, operator: { operator_id: ctx.appId, operator_type: 'app' }, action_time: nowMs(), reaction_type: { emoji_type: emoji } }),
        created: [reactionId],
      };
    },
  }),
  route('DELETE', '/open-apis/im/v1/messages/:message_id/reactions/:reaction_id', 'im.v1.messageReaction.delete', 'unreaction', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    answer: (ctx) =>
      success({ reaction_id: ctx.params.reaction_id, operator: { operator_id: ctx.appId, operator_type: 'app' }, action_time: nowMs(), reaction_type: { emoji_type: 'OK' } }),
  }),
  route('GET', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.get', 'read', {
    ids: pathMessage,
    target: (ctx) => ctx.params.message_id,
    answer(ctx) {
      const messageId = ctx.params.message_id as string;
      const chatId = ctx.messages.get(messageId)?.chatId ?? newId.chat();
      return success({ items: [messageObject(ctx, { messageId, chatId, msgType: 'text', content: '{"text":""}' })] });
    },
  }),
  route('POST', '/open-apis/im/v1/images', 'im.v1.image.create', 'upload', {
    answer: () => {
      const key = newId.image();
      return { ...success({ image_key: key }), created: [key] };
    },
  }),
  route('POST', '/open-apis/im/v1/files', 'im.v1.file.create', 'upload', {
    answer: () => {
      const key = newId.file();
      return { ...success({ file_key: key }), created: [key] };
    },
  }),
  route('POST', '/open-apis/im/v1/chats', 'im.v1.chat.create', 'chat_create', {
    text: (ctx) => str(ctx.body?.name),
    answer: (ctx) => {
      const chatId = newId.chat();
      return { ...success({ chat_id: chatId, name: str(ctx.body?.name) ?? '', owner_id_type: 'app_id', owner_id: ctx.appId, tenant_key: ctx.tenantKey }), created: [chatId] };
    },
  }),
  // The delayed update of a card, with the token of its card.action.trigger callback (not in the node SDK's table).
  route('POST', '/open-apis/interactive/v1/card/update', 'interactive.v1.card.update', 'card_update', {
    ids: (ctx) => (str(ctx.body?.token) !== undefined ? [{ id: String(ctx.body?.token), by: 'card_token' }] : []),
    target: () => 'card token',
    text: (ctx) => cardText(ctx.body?.card),
    answer(ctx) {
      if (str(ctx.body?.token) === undefined) return fieldViolation('token', 'token is required');
      if (!isRecord(ctx.body?.card)) return fieldViolation('card', 'card is required');
      return success({});
    },
  }),
  // CardKit: cards created once, then updated element by element (the streaming card).
  route('POST', '/open-apis/cardkit/v1/cards', 'cardkit.v1.card.create', 'card_create', {
    text: (ctx) => cardText(parseJson(ctx.body?.data)),
    answer(ctx) {
      if (str(ctx.body?.type) === undefined) return fieldViolation('type', 'type is required');
      if (str(ctx.body?.data) === undefined) return fieldViolation('data', 'data is required');
      const cardId = newId.card();
      return { ...success({ card_id: cardId }), created: [cardId] };
    },
  }),
  ...(
    [
      ['PUT', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content', 'cardkit.v1.cardElement.content', 'card_stream'],
      ['PUT', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id', 'cardkit.v1.cardElement.update', 'card_update'],
      ['PATCH', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id', 'cardkit.v1.cardElement.patch', 'card_update'],
      ['DELETE', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id', 'cardkit.v1.cardElement.delete', 'card_update'],
      ['POST', '/open-apis/cardkit/v1/cards/:card_id/elements', 'cardkit.v1.cardElement.create', 'card_update'],
      ['PATCH', '/open-apis/cardkit/v1/cards/:card_id/settings', 'cardkit.v1.card.settings', 'card_update'],
      ['PUT', '/open-apis/cardkit/v1/cards/:card_id', 'cardkit.v1.card.update', 'card_update'],
      ['POST', '/open-apis/cardkit/v1/cards/:card_id/batch_update', 'cardkit.v1.card.batchUpdate', 'card_update'],
    ] as const
  ).map(([method, template, api, kind]) =>
    route(method, template, api, kind, {
      ids: (ctx) => (ctx.params.card_id ? [{ id: ctx.params.card_id, by: 'created_id' }] : []),
      target: (ctx) => ctx.params.card_id,
      text: (ctx) => (kind === 'card_stream' ? str(ctx.body?.content) : cardText(parseJson(ctx.body?.card ?? ctx.body?.data))),
      answer: (ctx) => (typeof ctx.body?.sequence !== 'number' && method !== 'DELETE' ? fieldViolation('sequence', 'sequence is required: a number that grows with every update of the card') : success({})),
    }),
  ),
];

/** Route templates split once, for matching. */
const COMPILED = ROUTES.map((r) => ({ route: r, segments: r.template.split('/').filter(Boolean) }));

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
  for (const { route: r, segments: t } of COMPILED) {
    if (r.method !== method || t.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < t.length; i++) {
      const s = t[i] as string;
      const v = segments[i] as string;
      if (s.startsWith(':')) {
        if (v === '') ok = false;
        else params[s.slice(1)] = safeDecode(v);
      } else if (s === v) literals++;
      else ok = false;
      if (!ok) break;
    }
    if (ok && (best === undefined || literals > best.literals)) best = { route: r, params, literals };
  }
  return best === undefined ? undefined : { route: best.route, params: best.params };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

