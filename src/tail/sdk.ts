// The official SDK for tail's session, loaded as require() loads it, but compiled with V8's code cache when the build
// made one for exactly this SDK file (scripts/sdk-code-cache.js). Its lib/index.js is 6 MB: V8 parses all of it at
// every start (~35 ms of CPU of the ~0.24 s a tail takes to be ready); with the cache, V8 reads the compiled code
// instead (~8 ms). Anything that does not match — no cache, another SDK (upgraded, patched: its bytes are checked),
// another node, other V8 flags (V8 refuses the cache) — is a plain require(), or a compile without the cache: the SDK
// runs the same either way.
import Module, { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { packageRoot } from '../paths.js';

/** Where the build writes the caches and their manifest (shipped with dist/src). */
export const SDK_CODE_CACHE_DIR = join(packageRoot, 'dist', 'src', 'sdk-code-cache');
const MANIFEST = 'manifest.json';

/** What a cache was made for: the SDK file's size and CRC-32, the node version, and one cache per set of V8 flags. */
interface Manifest {
  node: string;
  bytes: number;
  crc32: number;
  /** V8 flags set at run time (setV8Flags, sorted, space-separated; '' for none) → cache file name. */
  caches: Record<string, string>;
}

const flagsKey = (flags: readonly string[]): string => [...flags].sort().join(' ');

// node:vm and node:zlib only once the SDK is loaded: a tail that stops at a bad flag or credential never needs them.
const nodeRequire = createRequire(import.meta.url);
const vm = (): typeof import('node:vm') => nodeRequire('node:vm') as typeof import('node:vm');
const crc32 = (bytes: Buffer): number => (nodeRequire('node:zlib') as typeof import('node:zlib')).crc32(bytes);

/** The SDK as require() loads it (spelled out so that the import-graph test sees tail load the SDK). */
const requireSdk = (): typeof Lark => createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** The source as require() would compile it (a byte order mark dropped), in CommonJS's wrapper. */
function wrapped(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Module.wrap(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** The cache in `dir` for this SDK file, this node and this process's V8 flags; undefined when none fits. */
async function cacheFor(dir: string, bytes: Buffer): Promise<Buffer | undefined> {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    // Imported here: node:v8 is not worth its load for a tail that stops before it connects.
    const { v8FlagsSet } = await import('../v8-flags.js');
    const file = manifest.caches[flagsKey(v8FlagsSet())];
    if (file === undefined || manifest.node !== process.version || manifest.bytes !== bytes.length || manifest.crc32 !== crc32(bytes)) return undefined;
    return readFileSync(join(dir, file));
  } catch {
    return undefined; // no cache (a build without this step, an unreadable file): the plain require
  }
}

/** How the SDK was loaded: with the code cache, with a cache V8 refused (compiled as without), or by require(). */
export type SdkLoading = 'code cache' | 'cache refused' | 'require' | 'already loaded';

/** Compile and run the SDK's main file as a CommonJS module registered in require.cache, as require() does. */
function runModule(filename: string, source: string, cachedData: Buffer): { sdk: typeof Lark; refused: boolean } {
  const script = new (vm().Script)(source, { filename, cachedData });
  const require = createRequire(filename);
  const module = new Module(filename);
  module.filename = filename;
  // As Module.load sets them (only module.require reads them: the SDK's own require is the one handed in below).
  module.paths = (Module as unknown as { _nodeModulePaths?(dir: string): string[] })._nodeModulePaths?.(dirname(filename)) ?? [];
  require.cache[filename] = module;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, filename, dirname(filename));
  } catch (error) {
    delete require.cache[filename];
    throw error;
  }
  module.loaded = true;
  return { sdk: module.exports as typeof Lark, refused: script.cachedDataRejected === true };
}

/** The SDK, with the code cache in `dir` if one fits (loadSdk; tests give another dir), and how it was loaded. */
export async function loadSdkWith(dir: string): Promise<{ sdk: typeof Lark; how: SdkLoading }> {
  let filename: string;
  let bytes: Buffer;
  try {
    filename = nodeRequire.resolve('@larksuiteoapi/node-sdk');
    if (nodeRequire.cache[filename] !== undefined) return { sdk: requireSdk(), how: 'already loaded' };
    bytes = readFileSync(filename);
  } catch {
    return { sdk: requireSdk(), how: 'require' }; // require() says what is wrong, in its words
  }
  const cachedData = await cacheFor(dir, bytes);
  if (cachedData === undefined) return { sdk: requireSdk(), how: 'require' };
  const { sdk, refused } = runModule(filename, wrapped(bytes), cachedData);
  return { sdk, how: refused ? 'cache refused' : 'code cache' };
}

/** The SDK: the module already loaded if something required it, else loaded now, with the build's code cache if it fits. */
export async function loadSdk(): Promise<typeof Lark> {
  return (await loadSdkWith(SDK_CODE_CACHE_DIR)).sdk;
}

/**
 * For the build: write a code cache of the installed SDK for each set of V8 flags tail runs with, and the manifest.
 * V8 accepts a cache only under the flags it was made with, so each set is made after setting its flags (the flags
 * stay set in this process; the sets must be given from fewest to most). Compiled, not run: the code V8 compiles
 * eagerly is most of what the cache spares. A source with import() gets no cache (a cached script has no dynamic
 * import callback on node 20).
 */
export function writeSdkCodeCaches(dir: string, flagSets: ReadonlyArray<readonly string[]>, setFlags: (flags: readonly string[]) => void): string[] {
  const filename = nodeRequire.resolve('@larksuiteoapi/node-sdk');
  const bytes = readFileSync(filename);
  const source = wrapped(bytes);
  if (/\bimport\s*\(/.test(source)) return [];
  const manifest: Manifest = { node: process.version, bytes: bytes.length, crc32: crc32(bytes), caches: {} };
  const written: string[] = [];
  flagSets.forEach((flags, n) => {
    setFlags(flags);
    const file = `node-sdk-${n}.cache`;
    writeFileSync(join(dir, file), new (vm().Script)(source, { filename }).createCachedData());
    manifest.caches[flagsKey(flags)] = file;
    written.push(file);
  });
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return written;
}
