// feishu-events as a library, for your own tests: build exactly what the platform would send.
export {
  // Encryption: base64(IV ‖ AES-256-CBC(SHA-256(key), PKCS#7)(plaintext)).
  encrypt,
  decrypt,
  deriveKey,
  DecryptError,
  // X-Lark-Signature = hex(SHA-256(timestamp + nonce + encryptKey + raw body)).
  sign,
  verify,
  makeNonce,
  unixSeconds,
  SignatureHeaders,
  // Envelopes.
  envelopeKind,
  eventTypeOf,
  eventIdOf,
  newEventId,
  prepareEnvelope,
  parseOverride,
  setPath,
  // The url_verification challenge.
  buildChallenge,
  checkChallengeResponse,
  // A whole push: { url, method, headers, body }.
  buildDelivery,
  buildChallengeDelivery,
} from './protocol/index.js';
export type {
  Envelope,
  EnvelopeV1,
  EnvelopeV2,
  EventHeaderV2,
  EnvelopeKind,
  FieldOverride,
  PrepareOptions,
  UrlVerification,
  ChallengeCheck,
  HttpDelivery,
  BuildDeliveryOptions,
  SignatureInput,
} from './protocol/index.js';
export { listSamples, readSample, resolveSampleSpec } from './catalog/samples.js';
export type { SampleRef } from './catalog/samples.js';
export { PLATFORM_RETRY_SCHEDULE_MS, parseRetrySchedule } from './delivery/retry-schedule.js';
// The local long-connection endpoint, for tests of apps that use the SDK's WSClient.
export { startGateway } from './gateway/server.js';
export type { Gateway, GatewayOptions, GatewayEvent, PushResult, PushOptions, ClientInfo, AckRecord, FaultRecord, FaultEventRecord } from './gateway/types.js';
export type { CallRecord, CallEventLink, CallFilter } from './gateway/open-api/types.js';
export { FaultError } from './gateway/types.js';
// Faults the gateway can inject, as words or objects.
export { parseFaultSpec, formatFaultSpec, FaultSpecError } from './gateway/fault-spec.js';
export type { FaultSpec, FaultKind, EndpointRefusal } from './gateway/fault-spec.js';
// pbbp2 frames of the long connection.
export { encodeFrame, decodeFrame, getHeader, FrameError, FrameMethod, MessageType, PLATFORM_CLIENT_CONFIG } from './protocol/frame.js';
export type { Frame, FrameHeader, ClientConfig } from './protocol/frame.js';
