// HTTP apps built on a given version of the official node SDK (EventDispatcher + adaptDefault), as the docs show
// them. The versions are installed side by side as npm aliases (lark-sdk-1-17, lark-sdk-1-40, …).
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

export type SdkPackage = 'lark-sdk-1-17' | 'lark-sdk-1-26' | 'lark-sdk-1-40' | 'lark-sdk-1-60' | '@larksuiteoapi/node-sdk';

interface LarkModule {
  EventDispatcher: new (params: { encryptKey?: string; verificationToken?: string; loggerLevel?: number }) => { register(handlers: Record<string, (data: Record<string, unknown>) => Promise<unknown>>): unknown };
  adaptDefault: (path: string, dispatcher: unknown, options?: { autoChallenge?: boolean }) => (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  LoggerLevel: { fatal: number };
}

export interface SdkApp {
  url: string;
  /** Event types whose handler ran, in order. */
  handled: string[];
  close(): Promise<void>;
}

export async function startSdkApp(
  pkg: SdkPackage,
  options: { encryptKey?: string; types: readonly string[]; returns?: unknown; autoChallenge?: boolean },
): Promise<SdkApp> {
  // require, not import(): the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU
  // per version).
  const lark = createRequire(import.meta.url)(pkg) as LarkModule & { default?: LarkModule };
  const sdk = lark.EventDispatcher ? lark : (lark.default as LarkModule);
  const handled: string[] = [];
  const handlers = Object.fromEntries(
    options.types.map((type) => [
      type,
      async () => {
        handled.push(type);
        return options.returns;
      },
    ]),
  );
  const dispatcher = new sdk.EventDispatcher({ encryptKey: options.encryptKey ?? '', loggerLevel: sdk.LoggerLevel.fatal }).register(handlers);
  const handle = sdk.adaptDefault('/webhook/event', dispatcher, { autoChallenge: options.autoChallenge ?? true });
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`handler error: ${error.message}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook/event`,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One untimed request first (a plaintext challenge, which the SDK answers with or without an Encrypt Key), so that
 * a timed challenge that follows does not pay for the app's cold start: on a busy machine that alone passed 1 s.
 * (A replay with --challenge against an app in the test's process runs in its own process: the challenge's fixed
 * 1 s deadline is too short for the two to share one thread on a loaded machine.)
 */
export async function warmUp(url: string, token = ''): Promise<void> {
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url_verification', challenge: 'warm-up', token }) });
}
