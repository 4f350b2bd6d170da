/**
 * KIF edges (tests/qnet/kif-pair.ts: fake kernels, an in-order fake transport) that kif.test.ts leaves open:
 * - client: the transport's acknowledgement of a MSGSEND on a live connection is the kernel's clientSent
 *   before any answer, and a MSGSEND the transport gives up on later fails the send with that errno;
 * - client: a pulse on a live connection that the transport refuses at once is traced as lost (kif-pulse-lost);
 * - server: a PULSE is a request too, so CONNECT_DEATH goes with the QoS of the latest request even when that
 *   was a pulse, and the server table shows that QoS.
 * The behaviour is docs/qnet.md "KIF and the message codec" ("KIF messages we send, and when", the notes after
 * it) and "KIF answers with the request's QoS"; the messages are packet-qnet6.c's (docs/design/qnet-wire.md §6).
 * alpha's ND for beta is 1; beta's ND for alpha is 2.
 */
import { Errno, type Message } from '../../stack/kernel/api';
import type { KifOp, RemoteTarget } from '../../stack/kernel/kif';
import { IO_STAT } from '../../stack/include/sys/iomsg';
import type { QosSpec } from '../../stack/net/qnet/types';
import { kifPair } from './kif-pair';

const ECHO: RemoteTarget = { nd: 1, pid: 4099, chid: 2 };
const send = (id: number, coid: number, target: RemoteTarget, msg: Message): KifOp =>
  ({ kind: 'send', id, coid, target, pid: 8200, tid: 3, prio: 15, msg });
const pulse = (coid: number, code: number, value: number): KifOp =>
  ({ kind: 'pulse', coid, target: ECHO, pid: 8200, prio: 10, code, value });

function setup(alphaQos?: QosSpec) {
  const p = kifPair(alphaQos);
  p.beta.kernel.channels.add('1/1').add('4099/2');
  return p;
}

/** alpha's send 1 on coid 5 connects to ECHO on beta and is answered; the connection is live afterwards. */
function connected(alphaQos?: QosSpec) {
  const p = setup(alphaQos);
  p.alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
  p.wire.run();
  p.beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0o20666, size: 0 } } }]);
  p.wire.run();
  p.alpha.kernel.take();
  p.beta.kernel.take();
  return p;
}

describe('the client node on a live connection', () => {
  it('the transport acknowledging a MsgSend moves the client to NET_REPLY (clientSent) before beta answers', () => {
    // docs/qnet.md: "The transport's acknowledgement of a CONNECT_MSGSEND or MSGSEND message is the kernel's
    // clientSent (NET_SEND → NET_REPLY)" — the client is reply-blocked from then on, not only once the reply comes.
    const { wire, alpha, beta } = connected();
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.step()).toBe('alpha>beta msgSend');
    expect(beta.kernel.take().map((c) => c.call)).toEqual(['vsend']);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientSent', id: 2 }]);
    // The answer then completes it; it is not told "sent" a second time.
    beta.kif.kernelOps([{ kind: 'vreply', id: 2, prio: 15, result: { status: 0, data: { mode: 0o20666, size: 0 } } }]);
    wire.run();
    expect(alpha.kernel.take()).toEqual([{ call: 'clientReply', id: 2, r: { status: 0, data: { mode: 0o20666, size: 0 }, bytes: 72 } }]);
  });

  it('a MsgSend the transport gives up on later fails that send with the transport\'s errno', () => {
    // docs/qnet.md: "A transport that gives up later (done(errno)) also fails the send with that errno."
    const { wire, alpha, beta } = connected();
    wire.lose = Errno.EHOSTUNREACH;
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.run()).toEqual(['alpha>beta msgSend (lost)']);
    expect(beta.kernel.take()).toEqual([]);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientReply', id: 2, r: { error: Errno.EHOSTUNREACH } }]);
  });

  it('a pulse the transport refuses at once is traced as lost with its coid and errno; nothing goes out', () => {
    // MsgSendPulse is fire and forget (docs/qnet.md: PULSE row; kif-client.ts "fire and forget"): the sender
    // hears nothing, so the lost pulse shows only in the trace, as one the transport drops later does.
    const { wire, alpha, beta } = connected();
    const before = wire.log.length;
    wire.refuse = Errno.EHOSTDOWN;
    alpha.kif.kernelOps([pulse(5, 3, 77)]);
    expect(wire.log.length).toBe(before);
    expect(alpha.traces.filter((t) => t.probe === 'kif-pulse-lost').map((t) => t.f)).toEqual([{ coid: 5, errno: Errno.EHOSTDOWN }]);
    expect(alpha.kernel.take()).toEqual([]);
    // The connection is still live: the next pulse goes straight out as PULSE.
    wire.refuse = 0;
    alpha.kif.kernelOps([pulse(5, 3, 78)]);
    expect(wire.run()).toEqual(['alpha>beta pulse']);
    expect(beta.kernel.take()).toEqual([{ call: 'vpulse', coid: 0x100, prio: 10, code: 3, value: 78 }]);
  });
});

describe('the server node: CONNECT_DEATH and the latest request\'s QoS', () => {
  const PREF1 = { type: 'preferred', ifname: 'en1' } as const;
  const PREF0 = { type: 'preferred', ifname: 'en0' } as const;

  it('a pulse that arrives on another interface is the latest request: Connect Death goes back with its QoS', () => {
    // docs/qnet.md "KIF answers with the request's QoS": MSGREPLY/MSGERROR use the QoS of the MSGSEND they
    // answer, CONNECT_DEATH the QoS of the latest request on the connection. A preferred:en1 client whose en1
    // failed over reaches beta on en0, so its next request is handed up as preferred on en0.
    const { wire, alpha, beta } = connected(PREF1);
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    alpha.kif.kernelOps([pulse(5, 1, 2)]);
    expect(wire.queue.map((q) => q.kind)).toEqual(['pulse']);
    wire.queue[0]!.qos = PREF0;
    wire.run();
    expect(beta.kernel.take().map((c) => c.call)).toEqual(['vsend', 'vpulse']);
    // The server table shows the connection's QoS as netmgr_ndtostr's suffix: now that of the pulse.
    expect(beta.kif.describe()).toEqual(['kif server id 1 <- alpha client_id 1 pid 8200: scoid 256~preferred:en0']);
    // The server is gone: MSGERROR for send 2 with that MSGSEND's QoS, CONNECT_DEATH with the pulse's.
    const mark = wire.qosLog.length;
    beta.kif.kernelOps([{ kind: 'vreply', id: 2, prio: 15, result: { error: Errno.ESRCH } }]);
    expect(wire.run()).toEqual(['beta>alpha msgError', 'beta>alpha connectDeath']);
    expect(wire.qosLog.slice(mark)).toEqual(['beta>alpha msgError preferred:en1', 'beta>alpha connectDeath preferred:en0']);
  });
});
