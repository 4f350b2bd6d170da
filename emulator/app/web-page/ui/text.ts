/** Small text helpers shared by the page's components (no DOM). */

/** The first line of an error's message: a stack trace never reaches the page. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] ?? text;
}

/** `0x1f` padded to the register's width in bytes. */
export function hex(value: number, width: number): string {
  return `0x${value.toString(16).padStart(width * 2, '0')}`;
}
