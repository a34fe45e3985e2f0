import { createRequire } from 'node:module';
import type { Agent } from 'undici';

let agent: typeof Agent | undefined;

/**
 * undici's Agent, loaded alone: the package's index also sets up fetch, WebSocket, EventSource, the caches and the
 * mock agent (~60 ms of CPU on a 2-core VM, against ~20 ms for the dispatcher), and replay sends through the Agent
 * only. undici has no `exports` map, so its files are addressable; should a later version move the file, the index
 * is loaded instead.
 */
export function undiciAgent(): typeof Agent {
  if (agent !== undefined) return agent;
  const require = createRequire(import.meta.url);
  try {
    agent = require('undici/lib/dispatcher/agent.js') as typeof Agent;
    if (typeof agent !== 'function') throw new TypeError('not a class');
  } catch {
    agent = (require('undici') as typeof import('undici')).Agent;
  }
  return agent;
}
