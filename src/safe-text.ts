// Text from outside (event fields, answer bodies, URLs given on the command line) on its way to a terminal, a CI
// log or a workflow-command parser: nothing in it may move the cursor, rewrite the screen, start a workflow
// command, or show a password.

/** C0 and C1 control characters, DEL, and the Unicode bidirectional overrides that reorder what a line shows. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control characters as visible escapes (`\x1b`, `\n`): for one-line fields shown on a terminal or in a log. */
export function escapeControl(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, escapeOne) : text;
}

/** Like escapeControl, but keeps line breaks and tabs: for multi-line text (an answer body shown as a block). */
export function escapeControlKeepLines(text: string): string {
  return text.replace(CONTROL, (ch) => (ch === '\n' || ch === '\t' ? ch : escapeOne(ch)));
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi;

/**
 * Every `scheme://user:password@` in a text with the password masked (`user:***@`), and a lone user name too (it is
 * often a token): `http://***@host`. Applied to whatever prints a URL the user gave.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    if (userinfo === '') return `${scheme}@`;
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/**
 * GitHub Actions workflow-command data (the message after `::`): `%`, CR and LF escaped, so that a value can
 * never end the command and start another one on a new line.
 */
export function escapeWorkflowData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value (`title=…`): also `:` and `,`. */
export function escapeWorkflowProperty(text: string): string {
  return escapeWorkflowData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A plain log line in a GitHub Actions job: a line that starts with `::` is a workflow command, and `::stop-commands::`
 * or `::add-mask::` from an event type would be obeyed. Control characters are escaped (no new line can start) and a
 * leading `::` is broken up.
 */
export function safeLogLine(text: string): string {
  const flat = escapeControl(text);
  return flat.replace(/::/g, ':\u200b:');
}
