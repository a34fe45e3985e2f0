// What the gateway accepts from whom. A web page in the developer's browser can send "simple" requests to any
// local port without a preflight (a text/plain POST, a form post), and open WebSockets: the gateway answers only
// requests that carry no Origin (SDKs, curl, replay) or its own, and the control API only JSON bodies. JSON answers go
// through one sendJson.
import type { ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** Answer with a JSON body (the gateway's endpoints and its control API); `headers` come after the content headers. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The path of a request target, or undefined when it cannot be read (`//%%%/ws`, garbage). Never throws. */
export function requestUrl(target: string | undefined): URL | undefined {
  const raw = target ?? '/';
  // Only origin-form targets ("/path?query"): an absolute URL or "*" is not something the gateway serves.
  if (!raw.startsWith('/')) return undefined;
  try {
    // Parsed against a fixed base so that "//host/…" stays a path, not a host.
    const url = new URL(`http://gateway${raw.startsWith('//') ? raw.replace(/^\/+/, '/') : raw}`);
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return undefined;
  }
}

/**
 * The origins a browser sends for pages served by the gateway itself: its domain, and the loopback names of its
 * port. A page on any other origin — including a DNS name rebound to 127.0.0.1 — is foreign.
 */
export function ownOrigins(domain: string, host: string, port: number): Set<string> {
  const origins = new Set([domain, `http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);
  if (isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::') origins.add(`http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`);
  return origins;
}

/**
 * Whether a request may be answered: no Origin header (not a browser), or one of `own`, or `http://<Host>` when the
 * Host header is an IP literal (a page the gateway served to another machine with --host 0.0.0.0; a DNS-rebinding
 * page always has a name in Host, never an address).
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, own: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  const normalized = origin.trim().toLowerCase();
  if (own.has(normalized)) return true;
  if (hostHeader === undefined) return false;
  const hostOnly = hostHeader.replace(/:\d{1,5}$/, '').replace(/^\[(.*)\]$/, '$1');
  return isIP(hostOnly) !== 0 && normalized === `http://${hostHeader.toLowerCase()}`;
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}
