import { DISCOVERY_PATH, DiscoveryCode } from '../protocol/discovery.js';
import type { ClientConfig } from '../protocol/frame.js';

export { DISCOVERY_PATH, DiscoveryCode } from '../protocol/discovery.js';

export interface DiscoveryAnswer {
  code: number;
  msg: string;
  /** Always an object: the node SDK (1.26 to 1.74 alike) destructures `data` before it looks at `code`, and a null would make it retry forever. */
  data: { URL?: string; ClientConfig?: ClientConfig };
}

export interface DiscoveryRequest {
  AppID?: unknown;
  AppSecret?: unknown;
  ClientAssertion?: unknown;
}

export interface Credentials {
  appId?: string;
  appSecret?: string;
}

export type DiscoveryCheck = { ok: true; appId: string } | { ok: false; appId: string; code: number; msg: string };

/**
 * Check the credentials of a discovery request. Without configured credentials any well-formed request passes
 * (an app id and a secret or client assertion); with them, the app id and secret must match.
 */
export function checkDiscovery(body: unknown, expected: Credentials): DiscoveryCheck {
  const request = (typeof body === 'object' && body !== null ? body : {}) as DiscoveryRequest;
  const appId = typeof request.AppID === 'string' ? request.AppID : '';
  const secret = typeof request.AppSecret === 'string' ? request.AppSecret : '';
  const assertion = typeof request.ClientAssertion === 'string' ? request.ClientAssertion : '';
  const authFailed = (why: string): DiscoveryCheck => ({ ok: false, appId, code: DiscoveryCode.authFailed, msg: `auth failed: ${why}` });
  if (appId === '') return authFailed('no AppID');
  if (secret === '' && assertion === '') return authFailed('no AppSecret');
  if (expected.appId !== undefined && appId !== expected.appId) return authFailed('unknown AppID');
  if (expected.appSecret !== undefined && secret !== expected.appSecret) return authFailed('wrong AppSecret');
  return { ok: true, appId };
}

export function discoverySuccess(url: string, config: ClientConfig): DiscoveryAnswer {
  return { code: DiscoveryCode.ok, msg: '', data: { URL: url, ClientConfig: { ...config } } };
}

export function discoveryFailure(code: number, msg: string): DiscoveryAnswer {
  return { code, msg, data: {} };
}

/**
 * The WebSocket URL handed out by discovery. node's SDK runs `qs.parse` on the whole URL to read `device_id` and
 * `service_id`, so neither may be the first query parameter: `fpid` goes first, as on the platform.
 */
export function connectUrl(base: string, session: { deviceId: string; serviceId: number; ticket: string }): string {
  return `${base}?fpid=1&device_id=${encodeURIComponent(session.deviceId)}&service_id=${session.serviceId}&ticket=${encodeURIComponent(session.ticket)}`;
}
