// A bot as developers write it with the official SDK: WSClient for events, Client for replies, both pointed at
// the gateway (`domain`). It replies to every im.message.receive_v1, with or without de-duplication.
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { silentLogger, type Json } from './gateway.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

export const BOT_APP_ID = 'cli_b0b0b0b0b0b0b0b0';

export interface Bot {
  appId: string;
  /** Every im.message.receive_v1 its handler ran for (duplicates included), by event_id. */
  handled: string[];
  /** Replies it sent (the message ids the gateway answered). */
  replies: string[];
  errors: unknown[];
  ready: Promise<void>;
  close(): void;
}

/**
 * `dedupe`: 'none' replies to every delivery; 'event_id' / 'message_id' keep a set of what it answered and skip a
 * repeat (the fix for double replies).
 */
export function startBot(domain: string, options: { dedupe: 'none' | 'event_id' | 'message_id'; text?: string; appId?: string }): Bot {
  const appId = options.appId ?? BOT_APP_ID;
  const client = new lark.Client({ appId, appSecret: 'bot-secret', domain, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  const seen = new Set<string>();
  const handled: string[] = [];
  const replies: string[] = [];
  const errors: unknown[] = [];
  const dispatcher = new lark.EventDispatcher({ logger: silentLogger, loggerLevel: lark.LoggerLevel.fatal }).register({
    'im.message.receive_v1': async (data: Json & { message: { message_id: string } }) => {
      handled.push(String(data.event_id));
      const key = options.dedupe === 'event_id' ? String(data.event_id) : data.message.message_id;
      if (options.dedupe !== 'none') {
        if (seen.has(key)) return;
        seen.add(key);
      }
      try {
        const answer = await client.im.message.reply({
          path: { message_id: data.message.message_id },
          data: { msg_type: 'text', content: JSON.stringify({ text: options.text ?? 'hello' }) },
        });
        replies.push(String(answer.data?.message_id));
      } catch (error) {
        errors.push(error);
      }
    },
  } as never);
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const ws = new lark.WSClient({ appId, appSecret: 'bot-secret', domain, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger, onReady: () => markReady() });
  void ws.start({ eventDispatcher: dispatcher });
  return { appId, handled, replies, errors, ready, close: () => ws.close({ force: true }) };
}
