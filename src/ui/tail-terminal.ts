// The terminal UI of `tail`, as the service wants it (a TailScreen): the alternate screen, Ink, TailApp. This is
// the UI's entry: React's build, ink's CI detection and the heap's growth are settled here, before ink is loaded.
import type { CommandIO } from '../io.js';
import type { TailScreen } from '../services/tail.js';
import { oldGenerationGrowth, setV8Flags } from '../v8-flags.js';
import { boundInkTextCaches } from './ink-text-caches.js';

/** The alternate screen (as less, htop and vim use): the UI draws there, and leaving gives the shell its screen back. */
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/**
 * The variables ink's `is-in-ci` reads (and chalk's colour detection: `CI` without a known CI's name means no
 * colour). Both decide once, when the module is first evaluated; in "CI mode" ink draws nothing but the last frame,
 * at exit. tail's UI runs only on a terminal, where someone is watching whatever the environment says.
 */
export const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Load ink with the CI variables hidden when stdout is a terminal; the environment is given back as it was. */
async function importInkInteractive(interactive: boolean): Promise<typeof import('ink')> {
  const hidden = new Map<string, string>();
  if (interactive) {
    for (const name of CI_VARIABLES) {
      const value = process.env[name];
      if (value !== undefined) hidden.set(name, value);
      delete process.env[name];
    }
  }
  try {
    return await import('ink');
  } finally {
    for (const [name, value] of hidden) process.env[name] = value;
  }
}

/**
 * The old generation may grow to 1.5× what is live after a full collection. The UI keeps a window of events and
 * lets older ones go, all day: with V8's default (up to 4× on a machine with memory to spare) the garbage of that
 * churn sat in the heap, some 90 MB of it. Read at every collection, so it can be set at run time.
 */
export const HEAP_GROWING_PERCENT = 50;

export async function openTailScreen(io: CommandIO): Promise<TailScreen> {
  // React's development build is several times slower and larger; the terminal UI wants the production one.
  if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
  setV8Flags(oldGenerationGrowth(HEAP_GROWING_PERCENT));
  // Before ink is loaded: its text-measuring caches would otherwise keep every row string ever drawn.
  boundInkTextCaches();
  const stdout = io.stdout as NodeJS.WriteStream;
  const [{ render }, { createElement }, { TailApp }] = await Promise.all([importInkInteractive(stdout.isTTY === true), import('react'), import('./TailApp.js')]);
  return {
    show(props) {
      stdout.write(ENTER_ALT_SCREEN);
      const app = render(createElement(TailApp, props), { exitOnCtrlC: false, stdout, stderr: io.stderr as NodeJS.WriteStream, patchConsole: false });
      return {
        closed: app.waitUntilExit(),
        async close() {
          app.unmount();
          await app.waitUntilExit().catch(() => undefined);
          stdout.write(LEAVE_ALT_SCREEN);
        },
      };
    },
  };
}
