#!/usr/bin/env node
// V8's code cache of the official SDK's lib/index.js, for tail's start-up (src/tail/sdk.ts reads it): one for each set
// of V8 flags a tail runs with — none (tail --json, or output to a pipe or file), and the terminal UI's (cli.ts keeps
// the young generation fixed on a terminal, the UI sets the old generation's growth). A tail under other flags, another
// node or another SDK file compiles the SDK as require() does. Written to dist/src/sdk-code-cache/ (shipped).
// Usage: node scripts/sdk-code-cache.js (run by `npm run build`, once esbuild has written dist/src).
import { mkdirSync, rmSync } from 'node:fs';

const { SDK_CODE_CACHE_DIR, writeSdkCodeCaches } = await import('../dist/src/tail/sdk.js');
const { oldGenerationGrowth, setV8Flags, YOUNG_GENERATION_FIXED } = await import('../dist/src/v8-flags.js');
const { HEAP_GROWING_PERCENT } = await import('../dist/src/ui/tail-terminal.js');

rmSync(SDK_CODE_CACHE_DIR, { recursive: true, force: true });
mkdirSync(SDK_CODE_CACHE_DIR, { recursive: true });
const written = writeSdkCodeCaches(SDK_CODE_CACHE_DIR, [[], [YOUNG_GENERATION_FIXED, oldGenerationGrowth(HEAP_GROWING_PERCENT)]], (flags) => setV8Flags(...flags));
if (written.length === 0) process.stderr.write('sdk-code-cache: the SDK uses import(): no code cache (tail compiles it at start)\n');
