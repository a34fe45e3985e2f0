import type { Server } from 'node:http';

export declare const EXAMPLE_ENCRYPT_KEY: string;
export declare const EXAMPLE_VERIFICATION_TOKEN: string;
export declare const EXAMPLE_PATH: string;
export declare const EXAMPLE_CALLBACK_PATH: string;
export declare const EXAMPLE_CARD_PATH: string;
export declare const EXAMPLE_EVENT_TYPES: string[];
export declare const EXAMPLE_CALLBACK_TYPES: string[];
/** The other bundled sample types the example registers (all but app_ticket, which the SDK handles itself). */
export declare function catalogueEventTypes(): string[];

export interface ExampleServerOptions {
  port?: number;
  host?: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Answer url_verification requests (default true). */
  autoChallenge?: boolean;
  onEvent?: (type: string, data: Record<string, unknown>) => void;
  /** Called for every callback a handler answers (card.action.trigger, url.preview.get, the legacy card action). */
  onCallback?: (type: string, data: Record<string, unknown>) => void;
  log?: (line: string) => void;
}

export declare function startExampleServer(options?: ExampleServerOptions): Promise<{ server: Server; url: string; callbackUrl: string; cardUrl: string; close: () => Promise<void> }>;
