/**
 * node:worker_threads as the web page's bundle sees it (./esbuild-browser.mjs). The page runs guests on its own
 * thread (the CLI's `--threads` is Node only: emulator/app/assembly/guest-workers.ts), so nothing here is ever called.
 */
const NODE_ONLY = 'guests in worker threads (--threads) run only under Node';

export const isMainThread = true;
export const workerData: unknown = null;

export class Worker {
  constructor() {
    throw new Error(NODE_ONLY);
  }
}
export class MessageChannel {
  constructor() {
    throw new Error(NODE_ONLY);
  }
}
export type MessagePort = never;
export function receiveMessageOnPort(): never {
  throw new Error(NODE_ONLY);
}
