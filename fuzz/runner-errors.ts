/** How fuzz targets and the runner word an exception from the code under test: one line, never a stack trace. */

/** "exception: <message> at <first frame>", the frame's path relative to the working directory. */
export function exceptionLine(e: unknown): string {
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const frame = stack
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node:internal'));
  const where = frame ? frame.slice(3).replace(`${process.cwd()}/`, '') : 'unknown frame';
  return `exception: ${msg.split('\n')[0]} at ${where}`;
}
