export * from './crypto.js';
export * from './signature.js';
export * from './envelope.js';
export * from './challenge.js';
export * from './http-request.js';
export * from './random.js';
