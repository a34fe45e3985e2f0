// The part of @larksuiteoapi/node-sdk (1.74.0) that this repository's code and tests use, declared by hand.
// tsconfig.json maps the package name here (`paths`): the SDK's own types/index.d.ts is 17.6 MB and cost every full
// type-check 3–3.5 s, for the handful of names below. Only types: at run time node loads the real SDK. The
// shapes are copied from the SDK's index.d.ts (names and parameters as they are there); a name not declared here is
// a compile error, and the place to add it.
export interface Logger {
  error: (...msg: any[]) => void | Promise<void>;
  warn: (...msg: any[]) => void | Promise<void>;
  info: (...msg: any[]) => void | Promise<void>;
  debug: (...msg: any[]) => void | Promise<void>;
  trace: (...msg: any[]) => void | Promise<void>;
}
export interface Cache {
  set: (key: string | symbol, value: any, expire?: number, options?: { namespace?: string }) => Promise<boolean>;
  get: (key: string | symbol, options?: { namespace?: string }) => Promise<any>;
}
export declare enum AppType {
  SelfBuild = 0,
  ISV = 1,
}
export declare enum Domain {
  Feishu = 0,
  Lark = 1,
}
export declare enum LoggerLevel {
  fatal = 0,
  error = 1,
  warn = 2,
  info = 3,
  debug = 4,
  trace = 5,
}
/** Opaque here: what withTenantKey() and its kin return, passed as an API call's second argument. */
export interface IRequestOptions {
  params?: Record<string, string>;
  data?: Record<string, string>;
  headers?: Record<string, string>;
  path?: Record<string, string>;
}
export declare const withTenantKey: (tenantKey: string) => IRequestOptions;

/** What every open-API call resolves to (its data typed loosely: the tests read a field or two). */
export interface ApiAnswer<D = Record<string, any>> {
  code?: number;
  msg?: string;
  data?: D;
}
type ApiCall<P, D = Record<string, any>> = (payload?: P, options?: IRequestOptions) => Promise<ApiAnswer<D>>;

export interface IClientParams {
  appId: string;
  appSecret?: string;
  domain?: Domain | string;
  loggerLevel?: LoggerLevel;
  logger?: Logger;
  cache?: Cache;
  disableTokenCache?: boolean;
  appType?: AppType;
}
export declare class Client {
  constructor(params: IClientParams);
  appId: string;
  domain: string;
  im: {
    message: {
      create: ApiCall<{ params: { receive_id_type: 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id' }; data: { receive_id: string; msg_type: string; content: string; uuid?: string } }>;
      reply: ApiCall<{ path: { message_id: string }; data: { msg_type: string; content: string; reply_in_thread?: boolean; uuid?: string } }>;
      patch: ApiCall<{ path: { message_id: string }; data: { content: string } }>;
    };
    messageReaction: {
      create: ApiCall<{ path: { message_id: string }; data: { reaction_type: { emoji_type: string } } }>;
    };
  };
  cardkit: {
    v1: {
      card: { create: ApiCall<{ data: { type: string; data: string } }> };
      cardElement: { content: ApiCall<{ path: { card_id: string; element_id: string }; data: { uuid?: string; content: string; sequence: number } }> };
    };
  };
  contact: {
    v3: { user: { get: ApiCall<{ path: { user_id: string }; params?: Record<string, string> }> } };
  };
  request<T = any>(payload: Record<string, unknown>, options?: IRequestOptions): Promise<T>;
}

export declare class EventDispatcher {
  constructor(params: { verificationToken?: string; encryptKey?: string; cache?: Cache; logger?: Logger; loggerLevel?: LoggerLevel });
  verificationToken: string;
  encryptKey: string;
  handles: Map<string, Function>;
  /** The SDK types each key with its event's data (IHandles); here every handler takes the event's data loosely. */
  register(handles: Record<string, (data: any) => any>): this;
  unregister(...keys: string[]): this;
  invoke(data: any, params?: { needCheck?: boolean }): Promise<any>;
}
export declare class CardActionHandler {
  constructor(params: { verificationToken?: string; encryptKey?: string; cache?: Cache; logger?: Logger; loggerLevel?: LoggerLevel }, cardHandler: Function);
  invoke(data: any): Promise<any>;
}
export declare const adaptDefault: (path: string, dispatcher: EventDispatcher | CardActionHandler, options?: { autoChallenge?: boolean }) => (req: any, res: any) => Promise<void>;

export interface WSConfigOverrides {
  pingInterval?: number;
  pingTimeout?: number;
  reconnectCount?: number;
  reconnectInterval?: number;
  reconnectNonce?: number;
}
export interface IConstructorParams {
  appId: string;
  appSecret?: string;
  domain?: string | Domain;
  logger?: Logger;
  loggerLevel?: LoggerLevel;
  autoReconnect?: boolean;
  agent?: any;
  source?: string;
  onReady?: () => void;
  onError?: (err: Error) => void;
  onReconnecting?: () => void;
  onReconnected?: () => void;
  handshakeTimeoutMs?: number;
  wsConfig?: WSConfigOverrides;
}
export type WSConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';
export interface WSConnectionStatus {
  state: WSConnectionState;
  lastConnectTime?: number;
  nextConnectTime?: number;
  reconnectAttempts: number;
}
export declare class WSClient {
  constructor(params: IConstructorParams);
  getConnectionStatus(): WSConnectionStatus;
  close(params?: { force?: boolean }): void;
  start(params: { eventDispatcher: EventDispatcher }): Promise<void>;
}
