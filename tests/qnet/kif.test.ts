/**
 * QnetKif between two nodes (tests/qnet/kif-pair.ts: fake kernels, an in-order fake transport): the KIF
 * messages each kernel op produces, what the server's kernel is asked, and what the client's kernel hears.
 * alpha's ND for beta is 1; beta's ND for alpha is 2.
 */
import { Errno, type Message } from '../../stack/kernel/api';
import type { KifOp, RemoteTarget } from '../../stack/kernel/kif';
import { IO_STAT, redirectReply } from '../../stack/include/sys/iomsg';
import { IO_CONNECT, IO_DEVCTL, IO_MSG, IO_READ, type OpenMsg } from '../../stack/io-pkt/msg';
import { QnetCost } from '../../stack/net/qnet/defaults';
import { encodeIoMsg } from '../../stack/net/qnet/iomsg';
import { QNET_KIF_MAX_NBYTES } from '../../stack/net/qnet/kif';
import { QnetKifPacket, QnetKifRepr } from '../../stack/net/wire/qnet-kif';
import { kifPair, type Call } from './kif-pair';

const PROCNTO: RemoteTarget = { nd: 1, pid: 1, chid: 1 };
const ECHO: RemoteTarget = { nd: 1, pid: 4099, chid: 2 };
const open = (path: string, rest: string): OpenMsg =>
  ({ type: IO_CONNECT, subtype: 'open', path, rest, ftype: 'any', domain: 0, socktype: 0, protocol: 0 });
const send = (id: number, coid: number, target: RemoteTarget, msg: Message): KifOp =>
  ({ kind: 'send', id, coid, target, pid: 8200, tid: 3, prio: 15, msg });
const vsendOf = (calls: Call[]) => calls.filter((c): c is Extract<Call, { call: 'vsend' }> => c.call === 'vsend');

function setup() {
  const p = kifPair();
  p.beta.kernel.channels.add('1/1').add('4099/2');
  return p;
}

describe('connect + MsgSend + reply', () => {
  it('the first send is a Connect MsgSend; vconnect/vsend as the remote client; ack → clientSent; reply → clientReply', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(41, 5, PROCNTO, open('/', 'dev/echo'))]);
    expect(wire.log).toEqual(['alpha>beta connectMsgSend']);
    expect(wire.run()).toEqual(['alpha>beta connectMsgSend', 'beta>alpha connectSuccess']);
    // beta: a connection for alpha's pid 8200 (beta's ND for alpha: 2) to procnto, then the send as tid 3 at prio 15.
    const b = beta.kernel.take();
    expect(b).toEqual([
      { call: 'vconnect', client: { nd: 2, pid: 8200 }, pid: 1, chid: 1, coid: 0x100 },
      { call: 'vsend', coid: 0x100, client: { nd: 2, pid: 8200, tid: 3, prio: 15 }, msg: { ...open('/dev/echo', ''), bytes: 50 }, id: 1 },
    ]);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientSent', id: 41 }]);
    // procnto answers with a redirect to msgecho on beta (nd 0 = beta itself).
    const red = redirectReply({ nd: 0, pid: 4099, chid: 2, prefix: '/dev/echo', rest: '' });
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: red }]);
    expect(wire.run()).toEqual(['beta>alpha msgReply']);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientReply', id: 41, r: red }]);
    // A second send on the same connection goes straight out as MsgSend with beta's server_id.
    alpha.kif.kernelOps([send(42, 5, PROCNTO, { type: IO_STAT })]);
    const frame = wire.queue[0]!.payload;
    const r = QnetKifRepr.parse(new QnetKifPacket(frame));
    expect(r).toMatchObject({ kind: 'msgSend', values: { serverId: 1, clientHandle: 2, tid: 3, coid: 5, priority: 15, srcmsglen: 8, srcnd: 2, dstmsglen: 72 } });
    expect(wire.run()).toEqual(['alpha>beta msgSend']);
    expect(vsendOf(beta.kernel.take())).toEqual([{ call: 'vsend', coid: 0x100, client: { nd: 2, pid: 8200, tid: 3, prio: 15 }, msg: { type: IO_STAT, bytes: 8 }, id: 2 }]);
    beta.kif.kernelOps([{ kind: 'vreply', id: 2, prio: 15, result: { status: 0, data: { mode: 0o40755, size: 0 } } }]);
    wire.run();
    expect(alpha.kernel.take()).toEqual([
      { call: 'clientSent', id: 42 },
      { call: 'clientReply', id: 42, r: { status: 0, data: { mode: 0o40755, size: 0 }, bytes: 72 } },
    ]);
    expect(alpha.stats.kif).toMatchObject({ client_kercalls: 2, connects: 1, net_client: 1 });
    expect(beta.stats.kif).toMatchObject({ server_msgs: 2, replies: 2, net_server: 1 });
    // CPU: one QnetCost.kif per KIF message built or parsed. alpha built 2 (Connect MsgSend, MsgSend) and
    // parsed 3 (Connect Success, 2 × MsgReply); beta parsed 2 and built 3.
    expect(alpha.charged).toBe(5 * QnetCost.kif);
    expect(beta.charged).toBe(5 * QnetCost.kif);
  });

  it('Connect Success carries server_id, alpha\'s client_id, the scoid and the MsgSend limit', () => {
    const { wire, alpha } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_MSG, mgrid: 1, subtype: 0, data: new Uint8Array(64) })]);
    wire.step();
    const r = QnetKifRepr.parse(new QnetKifPacket(wire.queue[0]!.payload));
    expect(r).toMatchObject({ kind: 'connectSuccess', values: { version: 1, serverId: 1, clientId: 1, scoid: 0x100, nbytes: QNET_KIF_MAX_NBYTES } });
  });

  it('a read reply brings the bytes back; MsgError comes back as {status: -1, errno}', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(7, 5, PROCNTO, { type: IO_READ, nbytes: 16, flags: 0 }), send(8, 6, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([
      { kind: 'vreply', id: 1, prio: 15, result: { status: 3, data: Uint8Array.from([104, 105, 10]) } },
      { kind: 'vreply', id: 2, prio: 15, result: { status: -1, errno: Errno.ENOENT } },
    ]);
    expect(wire.run()).toEqual(['beta>alpha msgReply', 'beta>alpha msgError']);
    expect(alpha.kernel.take().filter((c) => c.call === 'clientReply')).toEqual([
      { call: 'clientReply', id: 7, r: { status: 3, data: Uint8Array.from([104, 105, 10]), bytes: 3 } },
      { call: 'clientReply', id: 8, r: { status: -1, errno: Errno.ENOENT } },
    ]);
    expect(beta.stats.kif).toMatchObject({ replies: 1, errors: 1 });
  });

  it('a second thread\'s send while the connect is out waits for Connect Success, then goes as MsgSend', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT }), send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.log).toEqual(['alpha>beta connectMsgSend']);
    expect(wire.run()).toEqual(['alpha>beta connectMsgSend', 'beta>alpha connectSuccess', 'alpha>beta msgSend']);
    expect(vsendOf(beta.kernel.calls).map((c) => c.id)).toEqual([1, 2]);
  });
});

describe('failures', () => {
  it('Connect Fail (ESRCH: no such channel) fails the send with the status; the next send connects again', () => {
    const { wire, alpha, beta } = setup();
    const gone: RemoteTarget = { nd: 1, pid: 777, chid: 1 };
    alpha.kif.kernelOps([send(1, 9, gone, { type: IO_STAT })]);
    expect(wire.run()).toEqual(['alpha>beta connectMsgSend', 'beta>alpha connectFail']);
    expect(beta.kernel.take()).toEqual([{ call: 'vconnect', client: { nd: 2, pid: 8200 }, pid: 777, chid: 1, coid: -Errno.ESRCH }]);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientSent', id: 1 }, { call: 'clientReply', id: 1, r: { error: Errno.ESRCH } }]);
    expect(alpha.stats.kif.connect_fails).toBe(1);
    alpha.kif.kernelOps([send(2, 9, gone, { type: IO_STAT })]);
    expect(wire.log.slice(2)).toEqual(['alpha>beta connectMsgSend']);
  });

  it('an answer that overtakes the transport\'s acknowledgement: NET_REPLY first, then the reply; the late ack changes nothing', () => {
    const { wire, alpha, beta } = setup();
    wire.holdAcks = true;
    alpha.kif.kernelOps([send(1, 9, { nd: 1, pid: 777, chid: 1 }, { type: IO_STAT }), send(2, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0o20666, size: 0 } } }]);
    wire.run();
    // The refused connect: only the failure. The answered send: clientSent, then the reply.
    expect(alpha.kernel.take()).toEqual([
      { call: 'clientReply', id: 1, r: { error: Errno.ESRCH } },
      { call: 'clientSent', id: 2 },
      { call: 'clientReply', id: 2, r: { status: 0, data: { mode: 0o20666, size: 0 }, bytes: 72 } },
    ]);
    wire.ack();
    expect(alpha.kernel.take()).toEqual([]);
  });

  it('a server that died answers MsgError ESRCH and Connect Death; alpha forgets the connection', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { error: Errno.ESRCH } }]);
    expect(wire.run()).toEqual(['beta>alpha msgError', 'beta>alpha connectDeath']);
    expect(beta.kernel.calls.at(-1)).toEqual({ call: 'vdetach', coid: 0x100 });
    expect(alpha.kernel.take().at(-1)).toEqual({ call: 'clientReply', id: 1, r: { status: -1, errno: Errno.ESRCH } });
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.log.at(-1)).toBe('alpha>beta connectMsgSend');
  });

  it('what the codec cannot carry fails at once with ENOSYS, and an unknown ND with EHOSTUNREACH; nothing is sent', () => {
    const { wire, alpha } = setup();
    alpha.kif.kernelOps([
      send(1, 5, ECHO, { type: IO_DEVCTL, dcmd: 'SIOCGIFFLAGS' }),
      send(2, 6, { nd: 7, pid: 1, chid: 1 }, { type: IO_STAT }),
    ]);
    expect(wire.log).toEqual([]);
    expect(alpha.kernel.take()).toEqual([
      { call: 'clientReply', id: 1, r: { error: Errno.ENOSYS } },
      { call: 'clientReply', id: 2, r: { error: Errno.EHOSTUNREACH } },
    ]);
  });

  it('the transport refusing (EHOSTDOWN at once) or giving up later fails the send; the connection starts over', () => {
    const { wire, alpha } = setup();
    wire.refuse = Errno.EHOSTDOWN;
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientReply', id: 1, r: { error: Errno.EHOSTDOWN } }]);
    wire.refuse = 0;
    wire.lose = Errno.EHOSTUNREACH;
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.run()).toEqual(['alpha>beta connectMsgSend (lost)']);
    expect(alpha.kernel.take()).toEqual([{ call: 'clientReply', id: 2, r: { error: Errno.EHOSTUNREACH } }]);
    wire.lose = 0;
    alpha.kif.kernelOps([send(3, 5, ECHO, { type: IO_STAT })]);
    expect(wire.log.at(-1)).toBe('alpha>beta connectMsgSend');
  });

  it('a MsgSend whose message beta cannot decode is answered with MsgError (ENOSYS)', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0, size: 0 } } }]);
    wire.run();
    alpha.kernel.take();
    // A hand-made MsgSend carrying _IO_DEVCTL (16-byte header, so tshark-valid) on the live connection.
    const devctl = new Uint8Array(16);
    devctl.set([0x06, 0x01, 16, 0]);
    const r = { kind: 'msgSend', values: { serverId: 1, clientHandle: 99, tid: 1, coid: 5, priority: 10, srcmsglen: 16, keydata: 0, srcnd: 2, dstmsglen: 0, vinfoZero: 0 }, data: devctl } as const;
    const buf = new Uint8Array(QnetKifRepr.bufferLen(r));
    QnetKifRepr.emit(r, new QnetKifPacket(buf));
    beta.kif.input(beta.other, buf);
    const back = QnetKifRepr.parse(new QnetKifPacket(wire.queue[0]!.payload));
    expect(back).toMatchObject({ kind: 'msgError', values: { status: Errno.ENOSYS, handle: 99 } });
  });

  it('a bad KIF message is counted (l4 rx_bad) and dropped', () => {
    const { wire, beta } = setup();
    beta.kif.input(beta.other, Uint8Array.from([5, 0, 48, 0, 1, 2]));
    expect(beta.stats.l4.rx_bad).toBe(1);
    expect(beta.traces.find((t) => t.probe === 'kif-bad')?.f).toMatchObject({ check: 'short' });
    expect(wire.log).toEqual([]);
  });
});

describe('pulses and detach', () => {
  it('a pulse before any send: Connect first, the pulse waits for Connect Success', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([{ kind: 'pulse', coid: 5, target: ECHO, pid: 8200, prio: 21, code: 4, value: -7 }]);
    expect(wire.log).toEqual(['alpha>beta connect']);
    expect(wire.run()).toEqual(['alpha>beta connect', 'beta>alpha connectSuccess', 'alpha>beta pulse']);
    expect(beta.kernel.take()).toEqual([
      { call: 'vconnect', client: { nd: 2, pid: 8200 }, pid: 4099, chid: 2, coid: 0x100 },
      { call: 'vpulse', coid: 0x100, prio: 21, code: 4, value: -7 },
    ]);
    expect(beta.stats.kif.server_pulses).toBe(1);
    // Once connected a pulse goes at once.
    alpha.kif.kernelOps([{ kind: 'pulse', coid: 5, target: ECHO, pid: 8200, prio: 10, code: -3, value: 0x7fffffff }]);
    wire.run();
    expect(beta.kernel.take()).toEqual([{ call: 'vpulse', coid: 0x100, prio: 10, code: -3, value: 0x7fffffff }]);
  });

  it('detach sends Disconnect with the server id; beta detaches its connection', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    alpha.kif.kernelOps([{ kind: 'detach', coid: 5, target: ECHO, pid: 8200 }]);
    expect(wire.run()).toEqual(['alpha>beta disconnect']);
    expect(beta.kernel.calls.at(-1)).toEqual({ call: 'vdetach', coid: 0x100 });
    expect([alpha.stats.kif.net_client, beta.stats.kif.net_server, beta.stats.kif.disconnects]).toEqual([0, 0, 1]);
    // The send still pending on the detached connection is answered all the same.
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: -1, errno: Errno.EBADF } }]);
    wire.run();
    expect(alpha.kernel.calls.at(-1)).toEqual({ call: 'clientReply', id: 1, r: { status: -1, errno: Errno.EBADF } });
  });

  it('detach while the Connect is out: the queued pulse still goes, then Disconnect; a never-used detach sends nothing', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([
      { kind: 'pulse', coid: 5, target: ECHO, pid: 8200, prio: 10, code: 1, value: 2 },
      { kind: 'detach', coid: 5, target: ECHO, pid: 8200 },
      { kind: 'detach', coid: 6, target: ECHO, pid: 8200 },
    ]);
    expect(wire.run()).toEqual(['alpha>beta connect', 'beta>alpha connectSuccess', 'alpha>beta pulse', 'alpha>beta disconnect']);
    expect(beta.kernel.take().map((c) => c.call)).toEqual(['vconnect', 'vpulse', 'vdetach']);
  });
});

describe('node down', () => {
  it('the client side forgets the node and the kernel fails its blocked clients; late answers are ignored', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    alpha.kernel.take();
    alpha.kif.peerDown(alpha.other, Errno.EHOSTDOWN);
    expect(alpha.kernel.take()).toEqual([{ call: 'nodeDown', nd: 1, errno: Errno.EHOSTDOWN }]);
    expect(alpha.stats.kif.net_client).toBe(0);
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0, size: 0 } } }]);
    wire.run();
    expect(alpha.kernel.take()).toEqual([]);
    expect(alpha.traces.some((t) => t.probe === 'kif-reply-stale')).toBe(true);
    // The next send to beta starts a new connection.
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    expect(wire.log.at(-1)).toBe('alpha>beta connectMsgSend');
  });

  it('the server side forgets the node (the kernel detaches its connections); its pending replies are not sent', () => {
    const { wire, alpha, beta } = setup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kernel.take();
    beta.kif.peerDown(beta.other, Errno.EHOSTDOWN);
    expect(beta.kernel.take()).toEqual([{ call: 'nodeDown', nd: 2, errno: Errno.EHOSTDOWN }]);
    expect(beta.stats.kif.net_server).toBe(0);
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0, size: 0 } } }]);
    expect(wire.queue).toEqual([]);
    // A MsgSend on the forgotten server id is refused with EBADF.
    const bytes = encodeIoMsg({ type: IO_STAT }) as Uint8Array;
    const r = { kind: 'msgSend', values: { serverId: 1, clientHandle: 5, tid: 1, coid: 5, priority: 10, srcmsglen: 8, keydata: 0, srcnd: 2, dstmsglen: 72, vinfoZero: 0 }, data: bytes } as const;
    const buf = new Uint8Array(QnetKifRepr.bufferLen(r));
    QnetKifRepr.emit(r, new QnetKifPacket(buf));
    beta.kif.input(beta.other, buf);
    expect(QnetKifRepr.parse(new QnetKifPacket(wire.queue[0]!.payload))).toMatchObject({ kind: 'msgError', values: { status: Errno.EBADF, handle: 5 } });
  });
});

describe('answers travel with the QoS of the request', () => {
  const PREF1 = { type: 'preferred', ifname: 'en1' } as const;
  function prefSetup() {
    const p = kifPair(PREF1);
    p.beta.kernel.channels.add('1/1').add('4099/2');
    return p;
  }

  it('a preferred:en1 client: Connect Success, MsgReply and MsgError go back preferred on the interface the request came in on', () => {
    const { wire, alpha, beta } = prefSetup();
    alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { status: 0, data: { mode: 0o20666, size: 0 } } }]);
    wire.run();
    alpha.kif.kernelOps([send(2, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 2, prio: 15, result: { status: -1, errno: Errno.EPERM } }]);
    wire.run();
    expect(wire.qosLog).toEqual([
      'alpha>beta connectMsgSend preferred:en1', 'beta>alpha connectSuccess preferred:en1', 'beta>alpha msgReply preferred:en1',
      'alpha>beta msgSend preferred:en1', 'beta>alpha msgError preferred:en1',
    ]);
    // The server's table shows the connection's QoS (netmgr_ndtostr's suffix).
    expect(beta.kif.describe()).toEqual(['kif server id 1 <- alpha client_id 1 pid 8200: scoid 256~preferred:en1']);
  });

  it('Connect Fail and Connect Death too; a loadbalance client gets loadbalance answers', () => {
    const { wire, alpha, beta } = prefSetup();
    alpha.kif.kernelOps([send(1, 9, { nd: 1, pid: 777, chid: 1 }, { type: IO_STAT }), send(2, 5, ECHO, { type: IO_STAT })]);
    wire.run();
    beta.kif.kernelOps([{ kind: 'vreply', id: 1, prio: 15, result: { error: Errno.ESRCH } }]);
    wire.run();
    expect(wire.qosLog.filter((l) => l.startsWith('beta'))).toEqual([
      'beta>alpha connectFail preferred:en1', 'beta>alpha connectSuccess preferred:en1',
      'beta>alpha msgError preferred:en1', 'beta>alpha connectDeath preferred:en1',
    ]);
    const lb = setup();
    lb.alpha.kif.kernelOps([send(1, 5, ECHO, { type: IO_STAT })]);
    lb.wire.run();
    expect(lb.wire.qosLog).toEqual(['alpha>beta connectMsgSend loadbalance', 'beta>alpha connectSuccess loadbalance']);
  });
});
