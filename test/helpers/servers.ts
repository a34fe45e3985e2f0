import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How to answer: a status and body after an optional delay; `destroy` resets the connection; `never` answers nothing. */
export interface Answer {
  status?: number;
  body?: string;
  delayMs?: number;
  destroy?: boolean;
  never?: boolean;
}

export type Behaviour = (req: Received, n: number) => Promise<Answer> | Answer;

/** A plain HTTP server on 127.0.0.1 that records every request and answers as `behaviour` says. */
export async function startRecordingServer(behaviour: Behaviour = () => ({ status: 200, body: 'ok' })): Promise<{
  url: string;
  received: Received[];
  maxInFlight: () => number;
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  let inFlight = 0;
  let max = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const record: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(record);
      const answer = await behaviour(record, received.length);
      if (answer.never) return;
      if (answer.destroy) {
        inFlight--;
        req.socket.destroy();
        return;
      }
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      inFlight--;
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook/event`,
    received,
    maxInFlight: () => max,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
