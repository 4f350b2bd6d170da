/** SocketWaits (stack/io-pkt/resmgr-wait.ts) on its own: order, timeouts, ionotify arms, re-entrant wakeups. */
import type { ThreadCtx } from '../../stack/kernel/api';
import { Callouts } from '../../stack/net/callout';
import { Socket } from '../../stack/net/socket';
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { POLLERR, POLLIN, POLLOUT, POLLRDNORM } from '../../stack/include/sys/poll';
import { _NOTIFY_COND_EXTEN, _NOTIFY_COND_INPUT, _NOTIFY_COND_OUTPUT } from '../../stack/io-pkt/msg';
import type { IoPktProcess } from '../../stack/io-pkt/process';
import { SocketWaits, matchConditions, soConditions } from '../../stack/io-pkt/resmgr-wait';

/** Just enough of an io-pkt: a clock, the stack's callouts, and a ctx that records replies and events. */
function fakeIoPkt() {
  let now = 0;
  const callouts = new Callouts<() => void>();
  const events: number[] = [];
  const errors: [number, number][] = [];
  const ctx = {
    MsgDeliverEvent: (ev: { value: number }) => events.push(ev.value),
    MsgError: (rcvid: number, e: number) => errors.push([rcvid, e]),
    trace: () => undefined,
  } as unknown as ThreadCtx;
  const p = {
    ctx,
    stack: { callouts, schedule: (d: number, name: string, fn: () => void) => callouts.add(now + d, name, fn) },
  } as unknown as IoPktProcess;
  const advance = (t: number) => {
    now = t;
    for (;;) {
      const c = callouts.popDue(now);
      if (!c) break;
      c.fn();
    }
  };
  return { p, events, errors, advance };
}

const udp = () => new Socket(1, AF_INET, SOCK_DGRAM, 17, 1000, 1000);

test('a request whose attempt wakes the socket again is not re-entered; the wakeup is run after it', () => {
  const { p } = fakeIoPkt();
  const w = new SocketWaits(p);
  const so = udp();
  const calls: string[] = [];
  let depth = 0;
  let rounds = 0;
  w.park(so, {
    coid: 1, rcvid: 1, what: 'write',
    attempt: () => {
      depth++;
      calls.push(`attempt depth ${depth}`);
      rounds++;
      if (rounds === 1) w.run(so); // e.g. sosend → tcp_output → sowwakeup, synchronously
      depth--;
      return rounds === 2;
    },
  });
  w.run(so);
  expect(calls).toEqual(['attempt depth 1', 'attempt depth 1']);
  expect(w.count(so)).toBe(0);
});

test('readers are answered in order: one that cannot proceed keeps the later ones waiting', () => {
  const { p } = fakeIoPkt();
  const w = new SocketWaits(p);
  const so = udp();
  const got: number[] = [];
  let avail = 0;
  for (const id of [1, 2]) {
    w.park(so, { coid: id, rcvid: id, what: 'read', attempt: () => (avail > 0 ? (avail--, got.push(id), true) : false) });
  }
  w.run(so);
  expect(got).toEqual([]);
  avail = 1;
  w.run(so);
  expect(got).toEqual([1]);
  avail = 1;
  w.run(so);
  expect(got).toEqual([1, 2]);
  expect(so.waiters).toHaveLength(0); // the wakeup hook goes when nothing waits
});

test('a timeout answers through its callback and removes the request; closing the connection answers EBADF', () => {
  const { p, errors, advance } = fakeIoPkt();
  const w = new SocketWaits(p);
  const so = udp();
  const timedOut: number[] = [];
  w.park(so, { coid: 1, rcvid: 10, what: 'read', attempt: () => false }, 500, () => timedOut.push(10));
  w.park(so, { coid: 2, rcvid: 20, what: 'read', attempt: () => false });
  advance(499);
  expect(timedOut).toEqual([]);
  advance(500);
  expect(timedOut).toEqual([10]);
  expect(w.count(so)).toBe(1);
  w.dropConnection(so, 2, 9);
  expect(errors).toEqual([[20, 9]]);
  expect(w.count(so)).toBe(0);
});

test('ionotify: POLLARM answers what holds or arms; the arm fires once when the condition comes, then is gone', () => {
  const { p, events } = fakeIoPkt();
  const w = new SocketWaits(p);
  const so = udp();
  const ev = { notify: 'pulse' as const, coid: 9, priority: 10, code: 1, value: 42 };
  // A datagram socket is always writable: OUTPUT holds, nothing is armed.
  expect(w.notify(so, 1, _NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT, ev, 'arm')).toBe(_NOTIFY_COND_OUTPUT);
  expect(w.notify(so, 1, _NOTIFY_COND_INPUT, ev, 'arm')).toBe(0);
  w.run(so);
  expect(events).toEqual([]);
  so.rcv.append({ data: new Uint8Array(3), from: { family: AF_INET, addr: 0, port: 0 }, pktId: 0 });
  w.run(so);
  w.run(so);
  expect(events).toEqual([42]);
  // POLL (extended): POLLIN and POLLOUT hold; POLLERR is reported unasked once so_error is set.
  so.error = 61;
  expect(w.notify(so, 1, _NOTIFY_COND_EXTEN | POLLIN, null, 'poll')).toBe((_NOTIFY_COND_EXTEN | POLLRDNORM | POLLERR) >>> 0);
  expect(matchConditions((_NOTIFY_COND_EXTEN | POLLOUT) >>> 0, soConditions(so, true)) & POLLOUT).toBe(POLLOUT);
});
