/** A channel end over a worker_threads MessagePort: posting, and taking what arrived without the event loop. */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Endpoint } from '../../machine/parallel/messages';

export function portEndpoint<In, Out>(port: MessagePort): Endpoint<In, Out> {
  return {
    post: (msg: Out) => port.postMessage(msg),
    receive: () => receiveMessageOnPort(port)?.message as In | undefined,
  };
}
