// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** docs/api.md: one line, 1 to 1000 characters. */
export function commandError(command: string): string | undefined {
  if (!command.trim()) return 'Enter the command to run.';
  if (/[\r\n]/.test(command)) return 'Use one line: join several commands with && or ;.';
  if (CONTROL.test(command)) return 'Control characters (such as tabs) are not allowed.';
  if (command.length > 1000) return `Use at most 1,000 characters (this is ${command.length}).`;
  return undefined;
}
