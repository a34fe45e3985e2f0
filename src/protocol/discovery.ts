// Endpoint discovery of the long connection: where clients ask for their WebSocket URL, and the codes of the answer.
/** The path the SDKs POST to: `{domain}/callback/ws/endpoint`. */
export const DISCOVERY_PATH = '/callback/ws/endpoint';

/** The platform's endpoint-discovery answer codes, as the node SDK's WSClient and oapi-sdk-go's ws client read them. */
export const DiscoveryCode = {
  ok: 0,
  busy: 1,
  forbidden: 403,
  authFailed: 514,
  internal: 1000040343,
  tooManyConnections: 1000040350,
} as const;
