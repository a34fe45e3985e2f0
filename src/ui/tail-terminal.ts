// The terminal UI of `tail`, as the service wants it (a TailScreen): the alternate screen, Ink, TailApp. This is
// the UI's entry: React's build is chosen here, before React is loaded.
import type { CommandIO } from '../io.js';
import type { TailScreen } from '../services/tail.js';
import { boundInkTextCaches } from './ink-text-caches.js';

/** The alternate screen (as less, htop and vim use): the UI draws there, and leaving gives the shell its screen back. */
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

export async function openTailScreen(io: CommandIO): Promise<TailScreen> {
  // React's development build is several times slower and larger; the terminal UI wants the production one.
  if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
  // Before ink is loaded: its text-measuring caches would otherwise keep every row string ever drawn.
  boundInkTextCaches();
  const [{ render }, { createElement }, { TailApp }] = await Promise.all([import('ink'), import('react'), import('./TailApp.js')]);
  const stdout = io.stdout as NodeJS.WriteStream;
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
