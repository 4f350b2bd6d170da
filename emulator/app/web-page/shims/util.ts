/**
 * node:util for the web page's bundle: `promisify`, which snapshot files import (emulator/app/assembly/snapshot-file.ts);
 * the page reads no snapshot file, so only a faithful promisify is offered, and TextEncoder/TextDecoder, the
 * browser's own.
 */
export function promisify<A extends unknown[], R>(fn: (...args: [...A, (err: unknown, value: R) => void]) => void): (...args: A) => Promise<R> {
  return (...args: A) => new Promise<R>((resolve, reject) => fn(...args, (err, value) => (err ? reject(err) : resolve(value))));
}

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;
