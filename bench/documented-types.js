// The event types with hand-written schemas and samples: the benches measure these, so that their figures stay
// comparable as the generated catalogue grows.
import { listCatalog } from '../dist/src/catalog/event-catalog.js';

export const DOCUMENTED_TYPES = listCatalog()
  .filter((entry) => entry.origin === 'hand-written' && entry.kind === 'event')
  .map((entry) => entry.eventType);
