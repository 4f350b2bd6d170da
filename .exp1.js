var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// emulator/guest/v86-types.ts
var Wasm = globalThis.WebAssembly;

// ../../tmp/exp/prof.ts
var M = Wasm.Module;
var stats = { n: 0, ms: 0, bytes: 0 };
Wasm.Module = function(b) {
  const t = performance.now();
  const m = new M(b);
  stats.ms += performance.now() - t;
  stats.n++;
  stats.bytes += b.length;
  return m;
};

// ../../tmp/exp/exp1.ts
var fs2 = __toESM(require("node:fs"));

// emulator/sim/time.ts
var NS = 1;
var US = 1e3;
var MS = 1e6;
var SEC = 1e9;
var UNITS = { ns: NS, us: US, \u00B5s: US, ms: MS, s: SEC, m: 60 * SEC };

// emulator/sim/priority.ts
var Priority = {
  /** A wire delivers the last bit of a frame before anything reacts to it at the same instant. */
  Wire: 0,
  /** Device-internal completions (DMA done, FIFO drained) settle before interrupts are sampled. */
  Device: 10,
  /** Interrupt lines settle after device state changes in the same instant. */
  Interrupt: 20,
  /** Ordinary model work. */
  Default: 50,
  /** Simulated CPUs dispatch threads after all hardware at that instant has settled. */
  Cpu: 60,
  /** Timers of simulated operating systems fire after hardware at the same instant. */
  OsTimer: 70,
  /** Scenario actions (commands typed, faults) happen after the system reached a stable state. */
  Scenario: 90,
  /** Run-until limits and debugger stops come last so everything at that instant is visible. */
  Stop: 100
};

// emulator/sim/event.ts
var SimEvent = class {
  constructor(name, callback, priority = Priority.Default) {
    this.name = name;
    this.callback = callback;
    this.priority = priority;
  }
  name;
  callback;
  priority;
  /** Absolute time it fires at while scheduled; -1 when not scheduled. */
  when = -1;
  /** Insertion sequence, assigned by the queue at schedule time (FIFO among equal time and priority). */
  seq = 0;
  /** Index in the heap while scheduled (maintained by the queue). */
  heapIndex = -1;
  get scheduled() {
    return this.heapIndex >= 0;
  }
};

// emulator/sim/event-queue.ts
var EventQueue = class {
  heap = [];
  nextSeq = 1;
  _now = 0;
  _executed = 0;
  /** Called before each event runs (tracing, the debugger). */
  beforeEvent = null;
  get now() {
    return this._now;
  }
  /** Events executed so far. */
  get executed() {
    return this._executed;
  }
  get pending() {
    return this.heap.length;
  }
  /** Schedule `ev` at absolute time `when` (>= now). Throws if it is already scheduled. */
  schedule(ev, when) {
    if (ev.scheduled) throw new Error(`event ${ev.name} already scheduled at ${ev.when}`);
    if (!Number.isInteger(when)) throw new RangeError(`event ${ev.name}: time ${when} is not an integer`);
    if (when < this._now) throw new RangeError(`event ${ev.name}: time ${when} is before now ${this._now}`);
    ev.when = when;
    ev.seq = this.nextSeq++;
    ev.heapIndex = this.heap.length;
    this.heap.push(ev);
    this.up(ev.heapIndex);
  }
  /** Schedule `ev` after a delay from now. */
  scheduleIn(ev, delay) {
    this.schedule(ev, this._now + delay);
  }
  deschedule(ev) {
    if (!ev.scheduled) return;
    const i = ev.heapIndex;
    const last = this.heap.pop();
    if (last !== ev) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    ev.heapIndex = -1;
    ev.when = -1;
  }
  /** Move `ev` to a new time (it gets a fresh insertion sequence: it now goes after equals scheduled earlier). */
  reschedule(ev, when) {
    this.deschedule(ev);
    this.schedule(ev, when);
  }
  /** Time of the next event, or null if none. */
  peekTime() {
    return this.heap.length > 0 ? this.heap[0].when : null;
  }
  peek() {
    return this.heap[0] ?? null;
  }
  /** Run exactly one event. Returns false if the queue was empty. */
  step() {
    const ev = this.heap[0];
    if (!ev) return false;
    this.runOne(ev);
    return true;
  }
  /** Run every event with time <= `until`, then set now = until. Returns the number of events run. */
  runUntil(until, stop) {
    let n = 0;
    for (; ; ) {
      const ev = this.heap[0];
      if (!ev || ev.when > until) break;
      this.runOne(ev);
      n++;
      if (stop && stop()) return n;
    }
    if (until > this._now) this._now = until;
    return n;
  }
  /** Run until no events remain (or `limit` events ran). Returns the number run. */
  runUntilIdle(limit = Number.MAX_SAFE_INTEGER, stop) {
    let n = 0;
    while (n < limit) {
      const ev = this.heap[0];
      if (!ev) break;
      this.runOne(ev);
      n++;
      if (stop && stop()) break;
    }
    return n;
  }
  runOne(ev) {
    const when = ev.when;
    this.deschedule(ev);
    this._now = when;
    this._executed++;
    if (this.beforeEvent) this.beforeEvent(ev);
    ev.callback();
  }
  /** Pending events in firing order (for snapshots, the debugger). */
  list() {
    return [...this.heap].sort(compare);
  }
  /** Restore: set the clock (only legal with an empty queue, before re-scheduling saved events). */
  setNow(t) {
    if (this.heap.length > 0) throw new Error("setNow with pending events");
    this._now = t;
  }
  up(i) {
    const h = this.heap;
    const ev = h[i];
    while (i > 0) {
      const p = i - 1 >> 1;
      const pe = h[p];
      if (compare(ev, pe) >= 0) break;
      h[i] = pe;
      pe.heapIndex = i;
      i = p;
    }
    h[i] = ev;
    ev.heapIndex = i;
  }
  down(i) {
    const h = this.heap;
    const n = h.length;
    const ev = h[i];
    for (; ; ) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && compare(h[r], h[l]) < 0) c = r;
      const ce = h[c];
      if (compare(ce, ev) >= 0) break;
      h[i] = ce;
      ce.heapIndex = i;
      i = c;
    }
    h[i] = ev;
    ev.heapIndex = i;
  }
};
function compare(a, b) {
  return a.when - b.when || a.priority - b.priority || a.seq - b.seq;
}

// emulator/sim/rng.ts
var Rng = class {
  constructor(seed, name = "") {
    this.name = name;
    let x = (seed ^ fnv1a(name)) >>> 0;
    const next = () => {
      x = x + 2654435769 >>> 0;
      let z = x;
      z = Math.imul(z ^ z >>> 16, 2246822507) >>> 0;
      z = Math.imul(z ^ z >>> 13, 3266489909) >>> 0;
      return (z ^ z >>> 16) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
  name;
  s0;
  s1;
  s2;
  s3;
  /** Next 32-bit unsigned integer. */
  u32() {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = this.s1 << 9 >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }
  /** Uniform integer in [0, n). */
  below(n) {
    if (n <= 0) return 0;
    return Math.floor(this.float() * n);
  }
  /** Uniform float in [0, 1). */
  float() {
    return this.u32() / 4294967296;
  }
  /** True with probability p. */
  chance(p) {
    return this.float() < p;
  }
  state() {
    return [this.s0, this.s1, this.s2, this.s3];
  }
  setState(s) {
    [this.s0, this.s1, this.s2, this.s3] = s;
  }
};
function rotl(x, k) {
  return (x << k | x >>> 32 - k) >>> 0;
}
function fnv1a(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}
var RngFactory = class {
  constructor(seed) {
    this.seed = seed;
  }
  seed;
  issued = /* @__PURE__ */ new Map();
  stream(name) {
    if (this.issued.has(name)) throw new Error(`random stream '${name}' already issued`);
    const r = new Rng(this.seed, name);
    this.issued.set(name, r);
    return r;
  }
  /** All streams, by name in issue order (for snapshots). */
  streams() {
    return this.issued;
  }
};

// emulator/sim/trace.ts
var import_node_crypto = require("node:crypto");
var Tracer = class {
  constructor(clock) {
    this.clock = clock;
  }
  clock;
  hash = (0, import_node_crypto.createHash)("sha256");
  sinks = [];
  nextPkt = 1;
  _count = 0;
  /** Register-level records (every port access) are numerous: off unless asked for. */
  verbose = false;
  provenance = new Provenance();
  get count() {
    return this._count;
  }
  addSink(sink) {
    this.sinks.push(sink);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }
  /** A fresh packet id, for a frame or message that enters the system (an application send, a generator). */
  newPacketId() {
    return this.nextPkt++;
  }
  emit(node, layer, probe, pkt, f) {
    const rec = f ? { t: this.clock.now, node, layer, probe, pkt, f } : { t: this.clock.now, node, layer, probe, pkt };
    const line = JSON.stringify(rec);
    this.hash.update(line);
    this.hash.update("\n");
    this._count++;
    for (const s of this.sinks) s(rec, line);
  }
  /** Hex SHA-256 of every record so far (does not disturb the running hash). */
  digest() {
    return this.hash.copy().digest("hex");
  }
  /** Snapshot support: the packet-id counter is simulation state. */
  get packetCounter() {
    return this.nextPkt;
  }
  set packetCounter(n) {
    this.nextPkt = n;
  }
};
var Provenance = class {
  byDigest = /* @__PURE__ */ new Map();
  tag(bytes, pkt) {
    if (pkt > 0) this.byDigest.set(digest(bytes), pkt);
    if (this.byDigest.size > 65536) {
      const first = this.byDigest.keys().next();
      if (!first.done) this.byDigest.delete(first.value);
    }
  }
  /** The id last tagged for this content, or 0. */
  lookup(bytes) {
    return this.byDigest.get(digest(bytes)) ?? 0;
  }
};
function digest(b) {
  let h = 2166136261 ^ b.length;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i];
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

// emulator/sim/context.ts
function componentContext(sim, node, name) {
  return { queue: sim.queue, tracer: sim.tracer, rngs: sim.rngs, node, name };
}

// emulator/sim/simulation.ts
var Simulation = class {
  constructor(seed) {
    this.seed = seed;
    this.rngs = new RngFactory(seed >>> 0);
  }
  seed;
  queue = new EventQueue();
  tracer = new Tracer(this.queue);
  rngs;
};

// emulator/sim/snapshot.ts
function bytesToB64(b) {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}
function b64ToBytes(s, into) {
  const buf = Buffer.from(s, "base64");
  if (into) {
    into.set(buf.subarray(0, into.length));
    return into;
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
}
function checkVersion(what, got, want) {
  if (got.v !== want) throw new Error(`${what}: snapshot version ${got.v}, this build reads version ${want}`);
}

// emulator/net/link.ts
var ETH_PREAMBLE_SFD = 8;
var ETH_FCS = 4;
var ETH_IFG_BITS = 96;
var ETH_SLOT_BITS = 512;
var ETH_JAM_BITS = 32;
function frameWireTimeNs(len, bitRate) {
  return Math.round((ETH_PREAMBLE_SFD + len + ETH_FCS) * 8 * 1e9 / bitRate);
}

// emulator/net/delay-line.ts
var DelayLine = class {
  constructor(queue, name, delay, out, priority = Priority.Wire) {
    this.queue = queue;
    this.delay = delay;
    this.out = out;
    if (!Number.isInteger(delay) || delay < 0) throw new RangeError(`${name}: bad delay ${delay}`);
    this.ev = new SimEvent(name, () => this.fire(), priority);
  }
  queue;
  delay;
  out;
  items = [];
  ev;
  get length() {
    return this.items.length;
  }
  /** Items still in flight, in exit order (snapshots, the debugger). */
  inFlight() {
    return this.items;
  }
  push(item, at = this.queue.now + this.delay) {
    const last = this.items[this.items.length - 1];
    if (last && at < last.at) throw new RangeError(`${this.ev.name}: exit time ${at} before ${last.at}`);
    this.items.push({ at, item });
    if (!this.ev.scheduled) this.queue.schedule(this.ev, at);
  }
  clear() {
    this.items = [];
    this.queue.deschedule(this.ev);
  }
  fire() {
    const head = this.items.shift();
    const next = this.items[0];
    if (next) this.queue.schedule(this.ev, next.at);
    if (head) this.out(head.item);
  }
};

// emulator/net/wire-probes.ts
var WireProbes = class {
  constructor(ctx) {
    this.ctx = ctx;
  }
  ctx;
  taps = [];
  addTap(fn) {
    this.taps.push(fn);
  }
  /** A frame completed on the medium (last bit on the wire, no collision): hand it to every tap. */
  completed(frame, fromPort) {
    for (const t of this.taps) t(frame, fromPort);
  }
  txStart(port, frame) {
    this.emit("tx-start", frame.pktId, { port, len: frame.data.length });
  }
  collision(port, frame, ports) {
    this.emit("collision", frame.pktId, { port, ports: ports.join(",") });
  }
  deliver(to, frame) {
    this.emit("deliver", frame.pktId, { to, len: frame.data.length });
  }
  drop(frame, reason, fields) {
    this.emit("drop", frame.pktId, fields ? { reason, ...fields } : { reason });
  }
  emit(probe, pkt, f) {
    this.ctx.tracer.emit(this.ctx.node, "wire", probe, pkt, f);
  }
};

// emulator/net/hub.ts
var Hub = class {
  constructor(ctx, opts = {}) {
    this.ctx = ctx;
    this.name = ctx.name;
    this.bitRate = opts.bitRate ?? 1e7;
    this.propagation = opts.propagationNs ?? 500;
    if (!(this.bitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.bitRate}`);
    this.jamNs = Math.round(ETH_JAM_BITS * 1e9 / this.bitRate);
    this.probes = new WireProbes(ctx);
  }
  ctx;
  name;
  bitRate;
  propagation;
  jamNs;
  ports = [];
  signals = [];
  episode = null;
  probes;
  /**
   * Fault injection (emulator/net/fault.ts): sees every frame about to be handed to a station's port and
   * returns what that station receives (the frame, a copy marked badFcs) or null (lost). Null: no faults.
   */
  deliveryFilter = null;
  attach(listener, name) {
    if (this.ports.some((p2) => p2.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const n = `${this.name}.${name}`;
    const p = {
      name,
      listener,
      up: true,
      carrier: false,
      tx: null,
      txEv: new SimEvent(`${n}.txend`, () => this.txEnd(p), Priority.Wire),
      crsEv: new SimEvent(`${n}.crs`, () => this.crsChange(p), Priority.Wire),
      rx: new DelayLine(this.ctx.queue, `${n}.rx`, this.propagation, (f) => this.deliver(p, f))
    };
    this.ports.push(p);
    this.refresh(p);
    listener.linkChanged?.(true);
    return {
      bitRate: this.bitRate,
      fullDuplex: false,
      carrier: () => p.carrier,
      linkUp: () => p.up,
      transmit: (f) => this.transmit(p, f)
    };
  }
  tap(fn) {
    this.probes.addTap(fn);
  }
  /** Fault injection: take a port's link down (frames to and from it are lost, it sees no carrier) or up. */
  setLinkUp(portName, up) {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    if (p.up === up) return;
    p.up = up;
    this.refreshAll();
    p.listener.linkChanged?.(up);
  }
  transmit(p, frame) {
    const now = this.ctx.queue.now;
    if (p.tx) {
      this.probes.drop(frame, "busy", { port: p.name });
      return;
    }
    const naturalEnd = now + frameWireTimeNs(frame.data.length, this.bitRate);
    const sig = { port: p, frame, start: now, naturalEnd, end: naturalEnd, entered: p.up, collided: false, detect: -1 };
    p.tx = sig;
    this.probes.txStart(p.name, frame);
    this.ctx.queue.schedule(p.txEv, naturalEnd);
    if (!sig.entered) return;
    this.prune();
    let ep = this.episode && now < this.episode.end ? this.episode : null;
    const joining = [];
    if (!ep) {
      const active = this.signals.filter((s) => s.entered && !s.collided && s.start <= now && now < s.end);
      if (active.length > 0) {
        ep = { members: [], end: 0 };
        this.episode = ep;
        joining.push(...active);
      }
    }
    this.signals.push(sig);
    if (ep) {
      joining.push(sig);
      for (const s of joining) {
        s.collided = true;
        ep.members.push(s);
      }
      this.settle(ep);
      const names = ep.members.map((s) => s.port.name);
      for (const s of joining) this.probes.collision(s.port.name, s.frame, names);
    }
    this.refreshAll();
  }
  /** Detection and stop times of every collided sender still transmitting, and when the jam ends. */
  settle(ep) {
    const q = this.ctx.queue;
    for (const s of ep.members) {
      if (s.port.tx !== s) continue;
      let first = Infinity;
      for (const o of ep.members) if (o !== s) first = Math.min(first, o.start + this.propagation);
      const d = Math.max(s.start, first);
      if (d < s.naturalEnd) {
        s.detect = d;
        s.end = Math.max(q.now, d + this.jamNs);
      } else {
        s.detect = -1;
        s.end = s.naturalEnd;
      }
      if (s.port.txEv.when !== s.end) q.reschedule(s.port.txEv, s.end);
    }
    ep.end = Math.max(...ep.members.map((s) => s.end)) + this.propagation;
  }
  txEnd(p) {
    const sig = p.tx;
    if (!sig) return;
    p.tx = null;
    if (!sig.entered) {
      this.probes.drop(sig.frame, "link-down", { port: p.name });
      p.listener.transmitDone();
      return;
    }
    if (sig.collided) {
      this.probes.drop(sig.frame, "collision", { port: p.name });
      this.refreshAll();
      if (sig.detect >= 0) p.listener.collision();
      else p.listener.transmitDone();
      return;
    }
    if (p.up) {
      this.probes.completed(sig.frame, p.name);
      for (const q of this.ports) if (q !== p) q.rx.push(sig.frame);
    } else {
      this.probes.drop(sig.frame, "link-down", { port: p.name });
    }
    this.refreshAll();
    p.listener.transmitDone();
  }
  deliver(p, frame) {
    if (!p.up) {
      this.probes.drop(frame, "link-down", { port: p.name });
      return;
    }
    const f = this.deliveryFilter ? this.deliveryFilter(frame, p.name) : frame;
    if (!f) return;
    this.probes.deliver(p.name, f);
    p.listener.frameReceived(f);
  }
  crsChange(p) {
    const c = this.carrierAt(p, this.ctx.queue.now);
    const changed = c !== p.carrier;
    p.carrier = c;
    this.refresh(p);
    if (changed) p.listener.carrierChanged?.(c);
  }
  /** Someone else's signal (or the repeater's jam) is at port `p` at time `t`. */
  carrierAt(p, t) {
    if (!p.up) return false;
    const P = this.propagation;
    for (const s of this.signals) {
      if (s.port === p || !s.entered || s.collided) continue;
      if (s.start + P <= t && t < s.end + P) return true;
    }
    const ep = this.episode;
    return ep !== null && this.jamArrival(ep, p) <= t && t < ep.end;
  }
  /** When the collision's first signal from another port reaches `p`. */
  jamArrival(ep, p) {
    let first = Infinity;
    for (const s of ep.members) if (s.port !== p) first = Math.min(first, s.start + this.propagation);
    return first;
  }
  /** (Re)schedule port p's carrier event at the next instant its carrier differs from what it was told. */
  refresh(p) {
    const now = this.ctx.queue.now;
    const P = this.propagation;
    const times = [now];
    for (const s of this.signals) if (s.port !== p) times.push(s.start + P, s.end + P);
    if (this.episode) times.push(this.jamArrival(this.episode, p), this.episode.end);
    times.sort((a, b) => a - b);
    let next = -1;
    for (const t of times) {
      if (t < now || !Number.isFinite(t)) continue;
      if (this.carrierAt(p, t) !== p.carrier) {
        next = t;
        break;
      }
    }
    const q = this.ctx.queue;
    if (next < 0) q.deschedule(p.crsEv);
    else if (p.crsEv.when !== next) q.reschedule(p.crsEv, next);
  }
  refreshAll() {
    this.prune();
    for (const p of this.ports) this.refresh(p);
  }
  /** Forget signals that can no longer affect any port. */
  prune() {
    const now = this.ctx.queue.now;
    const ep = this.episode;
    if (ep && now >= ep.end && ep.members.every((s) => s.port.tx !== s)) this.episode = null;
    this.signals = this.signals.filter(
      (s) => s.port.tx === s || now < s.end + this.propagation || this.episode !== null && this.episode.members.includes(s)
    );
  }
};

// nic-models/common/csma-mac.ts
var ATTEMPT_LIMIT = 16;
var BACKOFF_LIMIT = 10;
var DEFAULT_BIT_RATE = 1e7;
var CsmaCdMac = class {
  constructor(ctx, rx, hooks = {}) {
    this.ctx = ctx;
    this.rx = rx;
    this.hooks = hooks;
    this.rng = ctx.rngs.stream(`${ctx.name}.backoff`);
    this.ifgEv = new SimEvent(`${ctx.name}.ifg`, () => this.send(), Priority.Device);
    this.backoffEv = new SimEvent(`${ctx.name}.backoff`, () => this.attempt(), Priority.Device);
    this.txEndEv = new SimEvent(`${ctx.name}.txend`, () => this.noLinkDone(), Priority.Device);
  }
  ctx;
  rx;
  hooks;
  _port = null;
  phase = "idle";
  frame = null;
  done = null;
  attempts = 0;
  deferred = false;
  late = false;
  carrierLost = false;
  txStart = 0;
  /** When the medium (as we see it, our own signal included) last became idle. */
  idleSince = Number.MIN_SAFE_INTEGER;
  rng;
  ifgEv;
  backoffEv;
  txEndEv;
  connect(medium) {
    if (this._port) throw new Error(`${this.ctx.name}: already connected`);
    this._port = medium.attach(this, this.ctx.name);
  }
  get port() {
    return this._port;
  }
  /** A transmit() is in progress (deferring, on the wire, or backing off). */
  get transmitting() {
    return this.phase !== "idle";
  }
  /** Send `frame`; `done` runs once with the outcome. Calling it while `transmitting` is a model bug: throws. */
  transmit(frame, done) {
    if (this.phase !== "idle") throw new Error(`${this.ctx.name}: transmit() while a transmit is in progress`);
    this.frame = frame;
    this.done = done;
    this.attempts = 0;
    this.deferred = false;
    this.late = false;
    this.carrierLost = false;
    this.attempt();
  }
  // ---- NetPortListener ----
  frameReceived(frame) {
    this.rx(frame);
  }
  transmitDone() {
    if (this.phase !== "tx") return this.spurious("transmitDone");
    this.idleSince = Math.max(this.idleSince, this.ctx.queue.now);
    this.finish(true, false);
  }
  collision() {
    if (this.phase !== "tx") return this.spurious("collision");
    const now = this.ctx.queue.now;
    const f = this.frame;
    this.attempts++;
    if (now - this.jamNs() - this.txStart >= this.slotNs()) this.late = true;
    this.idleSince = Math.max(this.idleSince, now);
    this.trace("collision", f, { attempt: this.attempts });
    this.hooks.collision?.(this.attempts);
    if (this.attempts >= ATTEMPT_LIMIT) {
      this.trace("abort", f, { attempts: this.attempts });
      this.finish(false, true);
      return;
    }
    const slots = this.rng.below(2 ** Math.min(this.attempts, BACKOFF_LIMIT));
    this.trace("backoff", f, { slots });
    this.phase = "backoff";
    this.ctx.queue.scheduleIn(this.backoffEv, slots * this.slotNs());
  }
  carrierChanged(busy) {
    const now = this.ctx.queue.now;
    if (busy) {
      const inPart1 = now < this.idleSince + Math.round(this.ifgNs() * 2 / 3);
      if (this.phase === "ifg" && inPart1) {
        this.ctx.queue.deschedule(this.ifgEv);
        this.enterDefer();
      }
    } else {
      this.idleSince = Math.max(this.idleSince, now);
      if (this.phase === "defer") this.startIfg();
    }
    this.hooks.carrier?.(busy);
  }
  linkChanged(up) {
    if (up) return;
    if (this.phase === "tx") this.carrierLost = true;
    else if (this.phase === "defer") this.attempt();
  }
  // ---- the transmit process ----
  /** Begin one attempt: defer while carrier is sensed, then the inter-frame gap. */
  attempt() {
    const port = this._port;
    if (!port || !port.linkUp()) return this.noLink();
    if (!port.fullDuplex && port.carrier()) return this.enterDefer();
    this.startIfg();
  }
  enterDefer() {
    this.phase = "defer";
    this.deferred = true;
    this.trace("defer", this.frame);
  }
  startIfg() {
    this.phase = "ifg";
    const now = this.ctx.queue.now;
    const at = Math.max(now, this.idleSince + this.ifgNs());
    if (at === now) this.send();
    else this.ctx.queue.schedule(this.ifgEv, at);
  }
  /** The gap is over: put the frame on the wire (carrier in part 2 of the gap is ignored). */
  send() {
    const port = this._port;
    if (!port || !port.linkUp()) return this.noLink();
    this.phase = "tx";
    this.txStart = this.ctx.queue.now;
    port.transmit(this.frame);
  }
  /** No link: the chip still clocks the frame out, into nothing, and reports carrier sense lost. */
  noLink() {
    this.phase = "nolink";
    this.carrierLost = true;
    this.trace("carrier-lost", this.frame);
    const rate = this._port?.bitRate ?? DEFAULT_BIT_RATE;
    this.ctx.queue.scheduleIn(this.txEndEv, frameWireTimeNs(this.frame.data.length, rate));
  }
  noLinkDone() {
    this.idleSince = Math.max(this.idleSince, this.ctx.queue.now);
    this.finish(true, false);
  }
  finish(ok, aborted) {
    const o = {
      ok,
      collisions: this.attempts,
      aborted,
      carrierLost: this.carrierLost,
      deferred: this.deferred,
      lateCollision: this.late
    };
    const done = this.done;
    const f = this.frame;
    this.phase = "idle";
    this.frame = null;
    this.done = null;
    if (done) done(o);
    else if (f) this.trace("orphan-outcome", f, { ok });
  }
  spurious(what) {
    this.ctx.tracer.emit(this.ctx.node, "mac", "spurious", 0, { what, phase: this.phase });
  }
  trace(probe, f, fields) {
    this.ctx.tracer.emit(this.ctx.node, "mac", probe, f.pktId, fields);
  }
  bits(n) {
    return Math.round(n * 1e9 / (this._port?.bitRate ?? DEFAULT_BIT_RATE));
  }
  ifgNs() {
    return this.bits(ETH_IFG_BITS);
  }
  slotNs() {
    return this.bits(ETH_SLOT_BITS);
  }
  jamNs() {
    return this.bits(ETH_JAM_BITS);
  }
  // ---- snapshots ----
  saveState() {
    const f = this.frame;
    return {
      v: 1,
      phase: this.phase,
      frame: f ? { data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs, alignmentError: f.alignmentError } : null,
      attempts: this.attempts,
      deferred: this.deferred,
      late: this.late,
      carrierLost: this.carrierLost,
      txStart: this.txStart,
      idleSince: this.idleSince,
      ifg: this.ifgEv.when,
      backoff: this.backoffEv.when,
      txEnd: this.txEndEv.when,
      rng: this.rng.state()
    };
  }
  /**
   * Restore. `done` receives the outcome of a transmit that was in progress when the state was saved (the
   * owner re-supplies its callback; without it the outcome is traced as 'orphan-outcome'). While `phase` is
   * 'tx' the frame is on the medium, whose own snapshot carries it.
   */
  loadState(s, done) {
    checkVersion(`${this.ctx.name} CsmaCdMac`, s, 1);
    const q = this.ctx.queue;
    for (const ev of [this.ifgEv, this.backoffEv, this.txEndEv]) q.deschedule(ev);
    this.phase = s.phase;
    this.frame = s.frame ? { data: b64ToBytes(s.frame.data), pktId: s.frame.pktId, badFcs: s.frame.badFcs, alignmentError: s.frame.alignmentError } : null;
    this.done = this.frame ? done ?? null : null;
    this.attempts = s.attempts;
    this.deferred = s.deferred;
    this.late = s.late;
    this.carrierLost = s.carrierLost;
    this.txStart = s.txStart;
    this.idleSince = s.idleSince;
    this.rng.setState(s.rng);
    if (s.ifg >= 0) q.schedule(this.ifgEv, s.ifg);
    if (s.backoff >= 0) q.schedule(this.backoffEv, s.backoff);
    if (s.txEnd >= 0) q.schedule(this.txEndEv, s.txEnd);
  }
};

// nic-models/ne2000/buffer-memory.ts
var PROM_SIZE = 32;
var BufferMemory = class {
  ramStart;
  ramEnd;
  ram;
  prom = new Uint8Array(PROM_SIZE);
  constructor(variant, mac) {
    if (variant === "ne1000") {
      this.ramStart = 8192;
      this.ramEnd = 16384;
    } else {
      this.ramStart = 16384;
      this.ramEnd = 32768;
    }
    this.ram = new Uint8Array(this.ramEnd - this.ramStart);
    const p16 = new Uint8Array(16);
    p16.set(mac.subarray(0, 6));
    p16[14] = 87;
    p16[15] = 87;
    for (let i = 0; i < 16; i++) {
      if (variant === "ne1000") {
        this.prom[i] = p16[i];
        this.prom[i + 16] = p16[i];
      } else {
        this.prom[2 * i] = p16[i];
        this.prom[2 * i + 1] = p16[i];
      }
    }
  }
  /** First and one-past-last RAM page. */
  get firstPage() {
    return this.ramStart >> 8;
  }
  get endPage() {
    return this.ramEnd >> 8;
  }
  isRam(addr) {
    const a = addr & 65535;
    return a >= this.ramStart && a < this.ramEnd;
  }
  read8(addr) {
    const a = addr & 65535;
    if (a >= this.ramStart && a < this.ramEnd) return this.ram[a - this.ramStart];
    if (a < PROM_SIZE) return this.prom[a];
    return 255;
  }
  /** Returns false when nothing is there to take the byte (the write is lost). */
  write8(addr, value) {
    const a = addr & 65535;
    if (a >= this.ramStart && a < this.ramEnd) {
      this.ram[a - this.ramStart] = value & 255;
      return true;
    }
    return false;
  }
  /**
   * A 16-bit local-bus read: the RAM is a word-wide array that ignores A0, so the word at `addr & ~1`
   * (little-endian: even byte on the low lane).
   */
  read16(addr) {
    const a = addr & 65534;
    return this.read8(a) | this.read8(a + 1) << 8;
  }
  write16(addr, value) {
    const a = addr & 65534;
    const lo2 = this.write8(a, value & 255);
    const hi2 = this.write8(a + 1, value >>> 8 & 255);
    return lo2 && hi2;
  }
};

// nic-models/ne2000/chip.ts
var ChipRegs = class {
  /** CR bits other than TXP (which the transmitter owns) and RD (kept as written). */
  cr = 33;
  isr = 128;
  imr = 0;
  dcr = 4;
  tcr = 0;
  rcr = 0;
  pstart = 0;
  pstop = 0;
  bnry = 0;
  curr = 0;
  tpsr = 0;
  tbcr = 0;
  rsr = 0;
  tsr = 0;
  ncr = 0;
  par = new Uint8Array(6);
  mar = new Uint8Array(8);
  /** Current local DMA address (CLDA0/1; page-2 writable). */
  clda = 0;
  /** Page-2 diagnostic registers: remote next packet pointer, local next packet pointer, address counter. */
  rnpp = 0;
  lnpp = 0;
  ac = 0;
  /** The last 8 bytes that went through the FIFO (page 0 register 06 reads them in turn). */
  fifo = new Uint8Array(8);
  fifoIdx = 0;
  get stopped() {
    return (this.cr & 1) !== 0;
  }
  get wordMode() {
    return (this.dcr & 1) !== 0;
  }
  /** TCR LB1..LB0 != 00: the transmitter is looped back into the receiver, the wire is not used. */
  get loopback() {
    return (this.tcr & 6) !== 0;
  }
  /** Remember the last up-to-8 bytes of a frame as the FIFO's contents. */
  setFifo(bytes) {
    this.fifo.fill(0);
    const n = Math.min(8, bytes.length);
    this.fifo.set(bytes.subarray(bytes.length - n), 0);
    this.fifoIdx = 0;
  }
};

// nic-models/ne2000/counters.ts
var COUNTER_MAX = 192;
var TallyCounters = class {
  /** `onMsb` runs when the increment leaves bit 7 set (the caller sets ISR.CNT). */
  constructor(onMsb) {
    this.onMsb = onMsb;
  }
  onMsb;
  c = [0, 0, 0];
  /** Count one event in counter 0, 1 or 2. */
  bump(i) {
    const v = this.c[i];
    if (v < COUNTER_MAX) this.c[i] = v + 1;
    if (this.c[i] & 128) this.onMsb();
  }
  /** A CPU read: returns the value and clears the counter. */
  readAndClear(i) {
    const v = this.c[i];
    this.c[i] = 0;
    return v;
  }
  peek(i) {
    return this.c[i];
  }
  saveState() {
    return { c: [this.c[0], this.c[1], this.c[2]] };
  }
  loadState(s) {
    this.c = [s.c[0] & 255, s.c[1] & 255, s.c[2] & 255];
  }
};

// nic-models/ne2000/crc.ts
var TABLE = makeTable();
function makeTable() {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 3988292384 ^ c >>> 1 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
function crcRegister(bytes, start = 0, end = bytes.length) {
  let c = 4294967295;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 255] ^ c >>> 8;
  return c >>> 0;
}
function fcs32(bytes, start = 0, end = bytes.length) {
  return ~crcRegister(bytes, start, end) >>> 0;
}
function multicastHashIndex(bytes, off = 0) {
  const r = crcRegister(bytes, off, off + 6);
  let idx = 0;
  for (let i = 0; i < 6; i++) idx |= (r >>> i & 1) << 5 - i;
  return idx;
}

// nic-models/ne2000/regs.ts
var CR = {
  STP: 1,
  STA: 2,
  TXP: 4,
  /** RD2..RD0 (bits 5:3): 001 remote read, 010 remote write, 011 send packet, 1xx abort/complete. */
  RD_MASK: 56,
  RD_READ: 8,
  RD_WRITE: 16,
  RD_SEND: 24,
  RD_ABORT: 32,
  /** PS1..PS0 (bits 7:6): register page. */
  PS_MASK: 192
};
var ISR = {
  PRX: 1,
  PTX: 2,
  RXE: 4,
  TXE: 8,
  OVW: 16,
  CNT: 32,
  RDC: 64,
  RST: 128
};
var RSR = {
  PRX: 1,
  CRC: 2,
  FAE: 4,
  FO: 8,
  MPA: 16,
  /** 1 = the destination was a multicast or broadcast address. */
  PHY: 32,
  /** Receiver disabled (monitor mode). */
  DIS: 64,
  DFR: 128
};
var TSR = {
  PTX: 1,
  ND: 2,
  COL: 4,
  ABT: 8,
  CRS: 16,
  FU: 32,
  CDH: 64,
  OWC: 128
};
var RCR = {
  SEP: 1,
  AR: 2,
  AB: 4,
  AM: 8,
  PRO: 16,
  MON: 32
};
var TCR = {
  /** Inhibit CRC: the transmitter does not append the FCS. */
  CRC: 1,
  /** LB1..LB0 (bits 2:1): 00 normal, 01 internal (NIC) loopback, 10 ENDEC loopback, 11 external loopback. */
  LB_MASK: 6,
  ATD: 8,
  OFST: 16
};
var RegisterPage = class {
  constructor(page, defs) {
    this.page = page;
    for (const d of defs) {
      if (!Number.isInteger(d.offset) || d.offset < 1 || d.offset > 15) {
        throw new Error(`DP8390 page ${page}: register ${d.name} at bad offset ${d.offset}`);
      }
      const prev = this.byOffset[d.offset];
      if (prev) throw new Error(`DP8390 page ${page}: ${d.name} overlaps ${prev.name} at 0x${d.offset.toString(16)}`);
      if (!d.read && !d.write) throw new Error(`DP8390 page ${page}: ${d.name} neither readable nor writable`);
      this.byOffset[d.offset] = d;
    }
  }
  page;
  byOffset = new Array(16).fill(void 0);
  get(offset) {
    return this.byOffset[offset & 15];
  }
};

// nic-models/ne2000/timing.ts
var LOCAL_DMA_CYCLE_NS = 200;
function localDmaTime(bytes, wordMode) {
  const cycles = wordMode ? Math.ceil(bytes / 2) : bytes;
  return cycles * LOCAL_DMA_CYCLE_NS;
}
var RX_TAIL_BYTES = 16 + 4;
function fifoThresholdBytes(dcr) {
  return [2, 4, 8, 12][dcr >> 5 & 3];
}
var DP8390_BIT_RATE = 1e7;

// nic-models/ne2000/address-filter.ts
function acceptAddress(data, regs) {
  const rcr = regs.rcr;
  if ((data[0] & 1) === 0) {
    if (rcr & RCR.PRO) return "unicast";
    for (let i = 0; i < 6; i++) if (data[i] !== regs.par[i]) return null;
    return "unicast";
  }
  let broadcast = true;
  for (let i = 0; i < 6; i++) if (data[i] !== 255) broadcast = false;
  if (broadcast && rcr & RCR.AB) return "broadcast";
  if (rcr & RCR.AM) {
    const idx = multicastHashIndex(data, 0);
    if (regs.mar[idx >> 3] & 1 << (idx & 7)) return broadcast ? "broadcast" : "multicast";
  }
  return null;
}

// nic-models/ne2000/receive.ts
var Receiver = class {
  constructor(chip) {
    this.chip = chip;
    this.commitEv = new SimEvent(`${chip.ctx.name}.rxCommit`, () => this.commit(), Priority.Device);
  }
  chip;
  overflow = false;
  pending = null;
  commitEv;
  get inOverflow() {
    return this.overflow;
  }
  /** A frame's last bit arrived from the medium. */
  fromWire(frame) {
    this.flush();
    if (this.chip.regs.stopped) return this.reject(frame, "stopped");
    if (this.chip.regs.loopback) return this.reject(frame, "loopback");
    this.receive(frame);
  }
  /** A frame came back through internal loopback. */
  fromLoopback(frame) {
    this.flush();
    if (this.chip.regs.stopped) return this.reject(frame, "stopped");
    this.receive(frame);
  }
  /** CR.STP: ends the overflow state (recovery step 1). */
  stop() {
    this.overflow = false;
  }
  /** Hardware reset: no completion is delivered for a frame in progress. */
  reset() {
    this.overflow = false;
    this.pending = null;
    this.chip.ctx.queue.deschedule(this.commitEv);
  }
  receive(frame) {
    const { regs, counters } = this.chip;
    const data = frame.data;
    const len = data.length;
    const rcr = regs.rcr;
    if (len < 6 || len < 60 && (rcr & RCR.AR) === 0) return this.reject(frame, "runt");
    const kind = acceptAddress(data, regs);
    if (kind === null) return this.reject(frame, "filter");
    let status = kind === "unicast" ? 0 : RSR.PHY;
    const crcBad = frame.badFcs === true;
    const fae = frame.alignmentError === true;
    if (crcBad) {
      status |= RSR.CRC;
      counters.bump(1);
    }
    if (fae) {
      status |= RSR.FAE;
      counters.bump(0);
    }
    const bad = crcBad || fae;
    if (bad) {
      regs.rsr = status;
      this.chip.raise(ISR.RXE);
      if ((rcr & RCR.SEP) === 0) return this.reject(frame, "crc", { fcs: crcBad, fae });
    } else {
      status |= RSR.PRX;
    }
    if (rcr & RCR.MON) return this.missed(frame, "monitor", status | RSR.DIS);
    if (this.overflow) return this.missed(frame, "overflow", status);
    const { pstart, pstop, curr, bnry } = regs;
    if (pstart >= pstop || curr < pstart || curr >= pstop) return this.missed(frame, "ring", status);
    const count = len + 4 & 65535;
    const pages = Math.ceil((len + 8) / 256);
    const ringPages = pstop - pstart;
    let fits = pages <= ringPages;
    let page = curr;
    for (let i = 1; fits && i <= pages; i++) {
      page = page + 1 === pstop ? pstart : page + 1;
      if (page === bnry) fits = false;
    }
    if (!fits) {
      this.overflow = true;
      this.chip.raise(ISR.OVW);
      return this.missed(frame, "overflow", status, { pages, ringPages });
    }
    let next = curr + pages;
    if (next >= pstop) next -= ringPages;
    this.store(frame, status, count, next);
  }
  /** Write header, data and FCS into the ring starting at CURR; completion follows after the FIFO drains. */
  store(frame, status, count, next) {
    const { regs, mem, ctx } = this.chip;
    const data = frame.data;
    const { pstart, pstop, curr } = regs;
    let addr = curr << 8;
    const put = (b) => {
      mem.write8(addr, b);
      const old = addr;
      addr = addr + 1 & 65535;
      if (addr >> 8 !== old >> 8 && addr >> 8 === pstop) addr = pstart << 8;
    };
    put(status);
    put(next);
    put(count & 255);
    put(count >> 8);
    for (let i = 0; i < data.length; i++) put(data[i]);
    let fcs = fcs32(data);
    if (status & RSR.CRC) fcs = ~fcs >>> 0;
    const tail = new Uint8Array([fcs & 255, fcs >>> 8 & 255, fcs >>> 16 & 255, fcs >>> 24]);
    for (const b of tail) put(b);
    regs.clda = addr;
    regs.lnpp = curr;
    const fifo = new Uint8Array(Math.min(8, data.length + 4));
    fifo.set(data.subarray(Math.max(0, data.length - (fifo.length - 4))), 0);
    fifo.set(tail, fifo.length - 4);
    regs.setFifo(fifo);
    ctx.tracer.provenance.tag(data, frame.pktId);
    this.chip.trace("rx-accept", frame.pktId, { len: data.length, status });
    this.pending = { next, status, page: curr, count, pkt: frame.pktId };
    ctx.queue.scheduleIn(this.commitEv, localDmaTime(RX_TAIL_BYTES, regs.wordMode));
  }
  /** Complete a stored frame now if one is pending (a new frame arrives, or the event fires). */
  flush() {
    if (this.pending) {
      this.chip.ctx.queue.deschedule(this.commitEv);
      this.commit();
    }
  }
  commit() {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const regs = this.chip.regs;
    regs.curr = p.next;
    regs.rsr = p.status;
    this.chip.trace("rx-ring", p.pkt, { page: p.page, count: p.count, next: p.next });
    this.chip.raise(p.status & RSR.PRX ? ISR.PRX : ISR.RXE);
  }
  missed(frame, reason, status, extra) {
    this.chip.regs.rsr = status & ~RSR.PRX | RSR.MPA;
    this.chip.counters.bump(2);
    this.reject(frame, reason, extra);
  }
  reject(frame, reason, extra) {
    this.chip.trace("rx-reject", frame.pktId, { reason, len: frame.data.length, ...extra });
  }
  saveState() {
    return {
      overflow: this.overflow,
      commitAt: this.commitEv.scheduled ? this.commitEv.when : -1,
      pending: this.pending ? { ...this.pending } : null
    };
  }
  loadState(s) {
    this.chip.ctx.queue.deschedule(this.commitEv);
    this.overflow = s.overflow;
    this.pending = s.pending ? { ...s.pending } : null;
    if (this.pending && s.commitAt >= 0) this.chip.ctx.queue.schedule(this.commitEv, s.commitAt);
  }
};

// nic-models/ne2000/register-pages.ts
var lo = (v) => v & 255;
var hi = (v) => v >> 8 & 255;
var setLo = (v, b) => v & 65280 | b & 255;
var setHi = (v, b) => v & 255 | (b & 255) << 8;
function buildPages(a, page3) {
  const r = a.regs;
  const dma = a.remote;
  const page0 = [
    { offset: 1, name: "CLDA0/PSTART", read: () => lo(r.clda), write: (v) => r.pstart = v },
    { offset: 2, name: "CLDA1/PSTOP", read: () => hi(r.clda), write: (v) => r.pstop = v },
    { offset: 3, name: "BNRY", read: () => r.bnry, write: (v) => r.bnry = v },
    { offset: 4, name: "TSR/TPSR", read: () => r.tsr, write: (v) => r.tpsr = v },
    { offset: 5, name: "NCR/TBCR0", read: () => r.ncr, write: (v) => r.tbcr = setLo(r.tbcr, v) },
    { offset: 6, name: "FIFO/TBCR1", read: () => r.fifo[r.fifoIdx++ & 7], write: (v) => r.tbcr = setHi(r.tbcr, v) },
    { offset: 7, name: "ISR", read: () => r.isr, write: (v) => a.writeIsr(v) },
    { offset: 8, name: "CRDA0/RSAR0", read: () => lo(dma.addr), write: (v) => dma.addr = setLo(dma.addr, v) },
    { offset: 9, name: "CRDA1/RSAR1", read: () => hi(dma.addr), write: (v) => dma.addr = setHi(dma.addr, v) },
    { offset: 10, name: "ID0/RBCR0", write: (v) => dma.count = setLo(dma.count, v), ...idRead(a.chipId, 0) },
    { offset: 11, name: "ID1/RBCR1", write: (v) => dma.count = setHi(dma.count, v), ...idRead(a.chipId, 1) },
    { offset: 12, name: "RSR/RCR", read: () => r.rsr, write: (v) => r.rcr = v & 63 },
    { offset: 13, name: "CNTR0/TCR", read: () => a.counters.readAndClear(0), write: (v) => r.tcr = v & 31 },
    { offset: 14, name: "CNTR1/DCR", read: () => a.counters.readAndClear(1), write: (v) => r.dcr = v & 127 },
    { offset: 15, name: "CNTR2/IMR", read: () => a.counters.readAndClear(2), write: (v) => a.writeImr(v) }
  ];
  const page1 = [];
  for (let i = 0; i < 6; i++) {
    page1.push({ offset: 1 + i, name: `PAR${i}`, read: () => r.par[i], write: (v) => r.par[i] = v });
  }
  page1.push({ offset: 7, name: "CURR", read: () => r.curr, write: (v) => r.curr = v });
  for (let i = 0; i < 8; i++) {
    page1.push({ offset: 8 + i, name: `MAR${i}`, read: () => r.mar[i], write: (v) => r.mar[i] = v });
  }
  const page2 = [
    { offset: 1, name: "PSTART/CLDA0", read: () => r.pstart, write: (v) => r.clda = setLo(r.clda, v) },
    { offset: 2, name: "PSTOP/CLDA1", read: () => r.pstop, write: (v) => r.clda = setHi(r.clda, v) },
    { offset: 3, name: "RNPP", read: () => r.rnpp, write: (v) => r.rnpp = v },
    { offset: 4, name: "TPSR", read: () => r.tpsr },
    { offset: 5, name: "LNPP", read: () => r.lnpp, write: (v) => r.lnpp = v },
    { offset: 6, name: "ACU", read: () => hi(r.ac), write: (v) => r.ac = setHi(r.ac, v) },
    { offset: 7, name: "ACL", read: () => lo(r.ac), write: (v) => r.ac = setLo(r.ac, v) },
    { offset: 12, name: "RCR", read: () => r.rcr | a.rcrReadOnes },
    { offset: 13, name: "TCR", read: () => r.tcr },
    { offset: 14, name: "DCR", read: () => r.dcr },
    { offset: 15, name: "IMR", read: () => r.imr }
  ];
  return [new RegisterPage(0, page0), new RegisterPage(1, page1), new RegisterPage(2, page2), new RegisterPage(3, page3)];
}
function idRead(id, i) {
  if (!id) return {};
  const v = id[i];
  return { read: () => v };
}

// nic-models/ne2000/remote-dma.ts
var RemoteDma = class {
  constructor(host2) {
    this.host = host2;
  }
  host;
  addr = 0;
  count = 0;
  mode = "idle";
  sendPacket = false;
  sendNext = 0;
  /** CR.RD written (0–7). */
  command(rd) {
    if (rd === 0) return;
    if (rd >= 4) {
      this.mode = "idle";
      this.sendPacket = false;
      return;
    }
    this.sendPacket = false;
    if (rd === 3) {
      const base = this.host.bnry << 8 & 65535;
      const mem = this.host.mem;
      this.addr = base;
      this.sendNext = mem.read8(base + 1);
      this.count = mem.read8(base + 2) | mem.read8(base + 3) << 8;
      this.sendPacket = true;
      this.mode = "read";
    } else {
      this.mode = rd === 1 ? "read" : "write";
    }
    if (this.count === 0) this.complete();
  }
  read(size) {
    const word = this.host.wordMode;
    if (size === 1) return this.readUnit() & 255;
    if (word) {
      const lo2 = this.readUnit();
      if (size === 2) return lo2;
      return (lo2 | this.readUnit() << 16) >>> 0;
    }
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readUnit() << 8 * i;
    return v >>> 0;
  }
  write(size, value) {
    const word = this.host.wordMode;
    if (size === 1) return this.writeUnit(value & (word ? 65535 : 255));
    if (word) {
      this.writeUnit(value & 65535);
      if (size === 4) this.writeUnit(value >>> 16 & 65535);
      return;
    }
    for (let i = 0; i < size; i++) this.writeUnit(value >>> 8 * i & 255);
  }
  /** One chip transfer out of memory: a byte or a word by DCR.WTS. */
  readUnit() {
    const word = this.host.wordMode;
    if (this.mode !== "read") {
      this.host.idleAccess("read");
      return word ? 65535 : 255;
    }
    const v = word ? this.host.mem.read16(this.addr) : this.host.mem.read8(this.addr);
    this.step(word ? 2 : 1);
    return v;
  }
  writeUnit(v) {
    const word = this.host.wordMode;
    if (this.mode !== "write") {
      this.host.idleAccess("write");
      return;
    }
    if (word) this.host.mem.write16(this.addr, v);
    else this.host.mem.write8(this.addr, v);
    this.step(word ? 2 : 1);
  }
  step(n) {
    const old = this.addr;
    let a = old + n & 65535;
    const page = a >> 8;
    if (page !== old >> 8 && page === this.host.pstop) a = (this.host.pstart << 8 | a & 255) & 65535;
    this.addr = a;
    this.count = Math.max(0, this.count - n);
    if (this.count === 0) this.complete();
  }
  complete() {
    this.mode = "idle";
    if (this.sendPacket) {
      this.sendPacket = false;
      this.host.sendPacketDone(this.sendNext);
    }
    this.host.remoteDone();
  }
  reset() {
    this.mode = "idle";
    this.sendPacket = false;
  }
  saveState() {
    return { addr: this.addr, count: this.count, mode: this.mode, sendPacket: this.sendPacket, sendNext: this.sendNext };
  }
  loadState(s) {
    this.addr = s.addr & 65535;
    this.count = s.count & 65535;
    this.mode = s.mode;
    this.sendPacket = s.sendPacket;
    this.sendNext = s.sendNext & 255;
  }
};

// nic-models/ne2000/rtl8029-config.ts
var EEM_MASK = 192;
var EEM_AUTOLOAD = 64;
var EEM_CONFIG_WRITE = 192;
var CONFIG3_FUDUP = 64;
var Rtl8029Config = class {
  constructor(initial) {
    this.initial = initial;
    this.config2 = initial.config2;
    this.config3 = initial.config3;
  }
  initial;
  cr9346 = 0;
  config2;
  config3;
  hltclk = 82;
  /** CONFIG3.FUDUP: the MAC is told to run full duplex. */
  get fullDuplex() {
    return (this.config3 & CONFIG3_FUDUP) !== 0;
  }
  get writable() {
    return (this.cr9346 & EEM_MASK) === EEM_CONFIG_WRITE;
  }
  /** Page-3 table entries (merged into the core's page 3). */
  defs(onTrace) {
    return [
      {
        offset: 1,
        name: "9346CR",
        read: () => this.cr9346,
        write: (v) => {
          if ((v & EEM_MASK) === EEM_AUTOLOAD) {
            this.config2 = this.initial.config2;
            this.config3 = this.initial.config3;
            this.cr9346 = v & ~EEM_MASK & 254;
            return;
          }
          this.cr9346 = v & 254;
        }
      },
      { offset: 3, name: "CONFIG0", read: () => 0 },
      {
        offset: 5,
        name: "CONFIG2",
        read: () => this.config2,
        write: (v) => this.writable ? this.config2 = v & 240 : onTrace("CONFIG2 write-protected", v)
      },
      {
        offset: 6,
        name: "CONFIG3",
        read: () => this.config3,
        write: (v) => this.writable ? this.config3 = v & 118 : onTrace("CONFIG3 write-protected", v)
      },
      { offset: 9, name: "HLTCLK", read: () => this.hltclk, write: (v) => this.hltclk = v }
    ];
  }
  saveState() {
    return { cr9346: this.cr9346, config2: this.config2, config3: this.config3, hltclk: this.hltclk };
  }
  loadState(s) {
    this.cr9346 = s.cr9346 & 255;
    this.config2 = s.config2 & 255;
    this.config3 = s.config3 & 255;
    this.hltclk = s.hltclk & 255;
  }
};

// nic-models/ne2000/transmit.ts
var Transmitter = class {
  constructor(chip, mac, host2) {
    this.chip = chip;
    this.mac = mac;
    this.host = host2;
    this.startEv = new SimEvent(`${chip.ctx.name}.txStart`, () => this.begin(), Priority.Device);
    this.loopEv = new SimEvent(`${chip.ctx.name}.txLoop`, () => this.loopDone(), Priority.Device);
  }
  chip;
  mac;
  host;
  busy = false;
  underrun = false;
  atMac = false;
  stale = false;
  held = false;
  /** Packet id of the frame being transmitted (for tx-done). */
  pkt = 0;
  loopFrame = null;
  startEv;
  loopEv;
  /** RTL8029: TSR bit 1 always reads 1. */
  ndAlways = false;
  /** TXP reads 1 while a transmission is in progress. */
  get active() {
    return this.busy;
  }
  /** CR written with TXP = 1 (the chip running). */
  command() {
    const { regs, ctx } = this.chip;
    if (this.busy) {
      this.chip.trace("tx-ignored", 0, { reason: "busy" });
      return;
    }
    this.busy = true;
    regs.tsr = 0;
    ctx.queue.scheduleIn(this.startEv, localDmaTime(fifoThresholdBytes(regs.dcr), regs.wordMode));
  }
  /** The outcome callback handed to the MAC (also re-supplied on restore). */
  outcome = (o) => {
    if (this.stale) {
      this.stale = false;
      this.chip.trace("tx-discard", 0, { reason: "reset" });
      if (this.held) {
        this.held = false;
        this.begin();
      }
      return;
    }
    if (!this.atMac) return;
    this.atMac = false;
    this.finish(o);
  };
  /** Hardware reset: the transmission in progress reports nothing; a frame already on the wire finishes. */
  reset() {
    const q = this.chip.ctx.queue;
    q.deschedule(this.startEv);
    q.deschedule(this.loopEv);
    this.loopFrame = null;
    if (this.atMac) this.stale = true;
    this.atMac = false;
    this.held = false;
    this.busy = false;
    this.underrun = false;
    this.pkt = 0;
  }
  begin() {
    if (this.mac.transmitting && !this.chip.regs.loopback) {
      this.held = true;
      return;
    }
    const { regs, mem, ctx } = this.chip;
    const start = regs.tpsr << 8 & 65535;
    const want = regs.tbcr;
    const limit = Math.min(want, mem.ram.length);
    const bytes = new Uint8Array(limit);
    let n = 0;
    for (; n < limit; n++) {
      const a = start + n & 65535;
      if (a === mem.ramEnd && n > 0) break;
      bytes[n] = mem.read8(a);
    }
    this.underrun = n < want;
    const raw = bytes.subarray(0, n);
    regs.clda = start + n & 65535;
    regs.setFifo(raw);
    let data = raw;
    let badFcs = this.underrun;
    if (regs.tcr & TCR.CRC) {
      if (n >= 4) {
        data = raw.slice(0, n - 4);
        const want32 = (raw[n - 4] | raw[n - 3] << 8 | raw[n - 2] << 16 | raw[n - 1] << 24) >>> 0;
        if (fcs32(data) !== want32) badFcs = true;
      } else {
        badFcs = true;
      }
    } else {
      data = raw.slice();
    }
    const pktId = ctx.tracer.provenance.lookup(raw) || ctx.tracer.provenance.lookup(data);
    const frame = badFcs ? { data, pktId, badFcs: true } : { data, pktId };
    this.pkt = pktId;
    this.chip.trace("tx-start", pktId, { page: regs.tpsr, len: n, ...this.underrun ? { underrun: true } : {} });
    if (regs.loopback) {
      this.loopFrame = frame;
      ctx.queue.scheduleIn(this.loopEv, frameWireTimeNs(data.length, DP8390_BIT_RATE));
      return;
    }
    this.atMac = true;
    this.mac.transmit(frame, this.outcome);
  }
  loopDone() {
    const f = this.loopFrame;
    this.loopFrame = null;
    const o = { ok: true, collisions: 0, aborted: false, carrierLost: false, deferred: false, lateCollision: false };
    if (f) this.host.loopback(f);
    this.finish(o);
  }
  finish(o) {
    const regs = this.chip.regs;
    const aborted = o.aborted;
    let tsr = 0;
    if (o.ok && !this.underrun) tsr |= TSR.PTX;
    if (!o.deferred || this.ndAlways) tsr |= TSR.ND;
    if (o.collisions > 0) tsr |= TSR.COL;
    if (aborted) tsr |= TSR.ABT;
    if (o.carrierLost) tsr |= TSR.CRS;
    if (this.underrun) tsr |= TSR.FU;
    if (o.lateCollision) tsr |= TSR.OWC;
    regs.tsr = tsr;
    regs.ncr = aborted ? 0 : o.collisions & 15;
    this.busy = false;
    this.underrun = false;
    regs.cr &= ~CR.TXP;
    this.chip.trace("tx-done", this.pkt, { tsr, ncr: regs.ncr });
    this.pkt = 0;
    this.chip.raise(tsr & TSR.PTX ? ISR.PTX : ISR.TXE);
    this.host.idle();
  }
  saveState() {
    const f = this.loopFrame;
    return {
      busy: this.busy,
      underrun: this.underrun,
      startAt: this.startEv.scheduled ? this.startEv.when : -1,
      loopAt: this.loopEv.scheduled ? this.loopEv.when : -1,
      loopFrame: f ? { data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs === true } : null,
      atMac: this.atMac,
      stale: this.stale,
      held: this.held,
      pkt: this.pkt
    };
  }
  loadState(s) {
    const q = this.chip.ctx.queue;
    q.deschedule(this.startEv);
    q.deschedule(this.loopEv);
    this.busy = s.busy;
    this.underrun = s.underrun;
    this.atMac = s.atMac;
    this.stale = s.stale;
    this.held = s.held;
    this.pkt = s.pkt;
    const lf = s.loopFrame;
    this.loopFrame = lf ? lf.badFcs ? { data: b64ToBytes(lf.data), pktId: lf.pktId, badFcs: true } : { data: b64ToBytes(lf.data), pktId: lf.pktId } : null;
    if (s.startAt >= 0) q.schedule(this.startEv, s.startAt);
    if (s.loopAt >= 0) q.schedule(this.loopEv, s.loopAt);
  }
};

// nic-models/ne2000/dp8390-core.ts
var Dp8390Core = class {
  constructor(ctx, opts) {
    this.ctx = ctx;
    this.variant = opts.variant ?? "ne2000";
    const mac = Uint8Array.from(Array.from(opts.mac).slice(0, 6));
    if (mac.length !== 6) throw new Error(`${ctx.name}: MAC address needs 6 bytes`);
    this.mem = new BufferMemory(this.variant, mac);
    this.counters = new TallyCounters(() => this.raise(ISR.CNT));
    const regs = this.regs;
    const self = this;
    this.remote = new RemoteDma({
      mem: this.mem,
      get pstart() {
        return regs.pstart;
      },
      get pstop() {
        return regs.pstop;
      },
      get bnry() {
        return regs.bnry;
      },
      get wordMode() {
        return regs.wordMode;
      },
      remoteDone: () => self.raise(ISR.RDC),
      sendPacketDone: (next) => {
        regs.bnry = next;
        regs.rnpp = next;
      },
      idleAccess: (dir) => self.trace("dma-idle", 0, { dir })
    });
    this.receiver = new Receiver(this);
    this.mac = new CsmaCdMac(ctx, (f) => this.receiver.fromWire(f));
    this.transmitter = new Transmitter(this, this.mac, {
      loopback: (f) => this.receiver.fromLoopback(f),
      idle: () => this.txIdle()
    });
    this.rtl = this.variant === "rtl8029" ? new Rtl8029Config({ config2: 0, config3: opts.fullDuplex ? 64 : 0 }) : null;
    this.transmitter.ndAlways = this.rtl !== null;
    const page3 = this.rtl ? this.rtl.defs((what, v) => this.trace("reg-ignored", 0, { what, value: v })) : [];
    this.pages = buildPages(
      {
        regs,
        remote: this.remote,
        counters: this.counters,
        writeIsr: (v) => {
          regs.isr &= ~(v & 127);
          this.updateIrq();
        },
        writeImr: (v) => {
          regs.imr = v & 127;
          this.updateIrq();
        },
        chipId: this.rtl ? [80, 67] : void 0,
        rcrReadOnes: this.rtl ? 192 : 0
      },
      page3
    );
    this.resetState();
    this.updateIrq();
  }
  ctx;
  regs = new ChipRegs();
  mem;
  counters;
  remote;
  receiver;
  transmitter;
  mac;
  variant;
  rtl;
  pages;
  line = null;
  irqLevel = false;
  stopPending = false;
  /** The interrupt output (the binding connects it to an ISA IRQ or PCI INTA#). */
  attachIrq(line) {
    this.line = line;
    line.set(this.irqLevel);
  }
  /** Attach the MAC to a medium (cable, hub, switch port). */
  connect(medium) {
    this.mac.connect(medium);
  }
  get page() {
    return this.regs.cr >> 6 & 3;
  }
  /** Read one of the 16 chip registers (offset 0x00–0x0F on the current page). */
  readReg(offset) {
    const off = offset & 15;
    let v;
    let name = "CR";
    if (off === 0) {
      v = this.regs.cr & ~CR.TXP | (this.transmitter.active ? CR.TXP : 0);
    } else {
      const def = this.pages[this.page].get(off);
      name = def?.name ?? "reserved";
      v = def?.read ? def.read() & 255 : 255;
    }
    if (this.ctx.tracer.verbose) this.trace("reg-read", 0, { page: this.page, off, reg: name, value: v });
    return v;
  }
  writeReg(offset, value) {
    const off = offset & 15;
    const v = value & 255;
    if (off === 0) {
      if (this.ctx.tracer.verbose) this.trace("reg-write", 0, { page: this.page, off, reg: "CR", value: v });
      this.writeCr(v);
      return;
    }
    const page = this.page;
    const def = this.pages[page].get(off);
    if (this.ctx.tracer.verbose) this.trace("reg-write", 0, { page, off, reg: def?.name ?? "reserved", value: v });
    if (def?.write) def.write(v);
    else this.trace("reg-ignored", 0, { page, off, reg: def?.name ?? "reserved", value: v });
  }
  /** The board's data port: one host access of `size` bytes through the remote DMA. */
  dataRead(size) {
    return this.remote.read(size);
  }
  dataWrite(size, value) {
    this.remote.write(size, value);
  }
  writeCr(v) {
    const r = this.regs;
    const wasStopped = r.stopped;
    let runBits = r.cr & (CR.STA | CR.STP);
    if (v & CR.STP) runBits = v & (CR.STA | CR.STP);
    else if (v & CR.STA) runBits = CR.STA;
    r.cr = v & (CR.PS_MASK | CR.RD_MASK) | runBits;
    if (v & CR.STP) {
      this.receiver.stop();
      if (this.transmitter.active) this.stopPending = true;
      else r.isr |= ISR.RST;
    } else if (v & CR.STA) {
      r.isr &= ~ISR.RST;
      this.stopPending = false;
      if (wasStopped) this.trace("start", 0);
    }
    this.remote.command(v >> 3 & 7);
    if (v & CR.TXP) {
      if (r.stopped) this.trace("tx-ignored", 0, { reason: "stopped" });
      else this.transmitter.command();
    }
    this.updateIrq();
  }
  txIdle() {
    if (this.stopPending && this.regs.stopped) this.regs.isr |= ISR.RST;
    this.stopPending = false;
  }
  /**
   * The RESET pin (the NE2000 reset port, PCI RST#, power-on). Datasheet "Initialization Procedures": CR = 0x21
   * (STP, RD = abort, page 0), ISR = RST, IMR = 0, DCR = LAS, TCR loopback bits cleared. Other registers and
   * buffer RAM keep their contents. A transmission already on the wire finishes but reports nothing.
   */
  hardwareReset() {
    this.resetState();
    this.trace("reset", 0);
    this.updateIrq();
  }
  resetState() {
    const r = this.regs;
    r.cr = CR.STP | CR.RD_ABORT;
    r.isr = ISR.RST;
    r.imr = 0;
    r.dcr = 4;
    r.tcr &= ~TCR.LB_MASK;
    this.stopPending = false;
    this.remote.reset();
    this.transmitter.reset();
    this.receiver.reset();
  }
  /** ChipServices: OR bits into ISR and re-evaluate the line. */
  raise(bits) {
    this.regs.isr |= bits;
    this.updateIrq();
  }
  /** The one place the interrupt output is driven: level = ISR & IMR & 0x7F (RST excluded). */
  updateIrq() {
    const level = (this.regs.isr & this.regs.imr & 127) !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.trace("irq", 0, { isr: this.regs.isr });
    this.line?.set(level);
  }
  get irqAsserted() {
    return this.irqLevel;
  }
  trace(probe, pkt, fields) {
    this.ctx.tracer.emit(this.ctx.node, "nic", probe, pkt, fields ? { nic: this.ctx.name, ...fields } : { nic: this.ctx.name });
  }
  saveState() {
    const r = this.regs;
    return {
      v: 1,
      regs: {
        cr: r.cr,
        isr: r.isr,
        imr: r.imr,
        dcr: r.dcr,
        tcr: r.tcr,
        rcr: r.rcr,
        pstart: r.pstart,
        pstop: r.pstop,
        bnry: r.bnry,
        curr: r.curr,
        tpsr: r.tpsr,
        tbcr: r.tbcr,
        rsr: r.rsr,
        tsr: r.tsr,
        ncr: r.ncr,
        par: Array.from(r.par),
        mar: Array.from(r.mar),
        clda: r.clda,
        rnpp: r.rnpp,
        lnpp: r.lnpp,
        ac: r.ac,
        fifo: Array.from(r.fifo),
        fifoIdx: r.fifoIdx
      },
      irq: this.irqLevel,
      stopPending: this.stopPending,
      ram: bytesToB64(this.mem.ram),
      remote: this.remote.saveState(),
      counters: this.counters.saveState(),
      rx: this.receiver.saveState(),
      tx: this.transmitter.saveState(),
      mac: this.mac.saveState(),
      rtl: this.rtl ? this.rtl.saveState() : null
    };
  }
  /** Restore into a freshly built core (same options); pending events are rescheduled at their saved times. */
  loadState(s) {
    checkVersion(`${this.ctx.name} Dp8390Core`, s, 1);
    const r = this.regs;
    const g = s.regs;
    Object.assign(r, {
      cr: g.cr,
      isr: g.isr,
      imr: g.imr,
      dcr: g.dcr,
      tcr: g.tcr,
      rcr: g.rcr,
      pstart: g.pstart,
      pstop: g.pstop,
      bnry: g.bnry,
      curr: g.curr,
      tpsr: g.tpsr,
      tbcr: g.tbcr,
      rsr: g.rsr,
      tsr: g.tsr,
      ncr: g.ncr,
      clda: g.clda,
      rnpp: g.rnpp,
      lnpp: g.lnpp,
      ac: g.ac,
      fifoIdx: g.fifoIdx
    });
    r.par.set(g.par.slice(0, 6));
    r.mar.set(g.mar.slice(0, 8));
    r.fifo.set(g.fifo.slice(0, 8));
    this.stopPending = s.stopPending;
    b64ToBytes(s.ram, this.mem.ram);
    this.remote.loadState(s.remote);
    this.counters.loadState(s.counters);
    this.receiver.loadState(s.rx);
    this.transmitter.loadState(s.tx);
    this.mac.loadState(s.mac, this.transmitter.outcome);
    if (this.rtl && s.rtl) this.rtl.loadState(s.rtl);
    this.irqLevel = s.irq;
    this.line?.set(s.irq);
  }
};

// nic-models/ne2000/ne2000-window.ts
var NE2000_WINDOW_SIZE = 32;
var Ne2000Window = class {
  constructor(core) {
    this.core = core;
  }
  core;
  read(offset, size) {
    const off = offset & 31;
    if (off >= 16 && off < 24) {
      const v2 = this.core.dataRead(size);
      if (this.core.ctx.tracer.verbose) this.core.trace("data-read", 0, { size, value: v2 });
      return v2;
    }
    if (size === 1) return this.readByte(off);
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(off + i & 31) << 8 * i;
    return v >>> 0;
  }
  write(offset, size, value) {
    const off = offset & 31;
    if (off >= 16 && off < 24) {
      if (this.core.ctx.tracer.verbose) this.core.trace("data-write", 0, { size, value });
      return this.core.dataWrite(size, value);
    }
    if (size === 1) return this.writeByte(off, value & 255);
    for (let i = 0; i < size; i++) this.writeByte(off + i & 31, value >>> 8 * i & 255);
  }
  readByte(off) {
    if (off < 16) return this.core.readReg(off);
    if (off < 24) return this.core.dataRead(1);
    this.core.hardwareReset();
    return 255;
  }
  writeByte(off, v) {
    if (off < 16) return this.core.writeReg(off, v);
    if (off < 24) return this.core.dataWrite(1, v);
    if (this.core.ctx.tracer.verbose) this.core.trace("reg-write", 0, { off, reg: "RESET", value: v });
  }
};

// nic-models/ne2000/rtl8029-pci.ts
var Rtl8029Pci = class {
  core;
  spec;
  constructor(ctx, opts) {
    this.core = new Dp8390Core(ctx, { mac: opts.mac, variant: "rtl8029", fullDuplex: opts.fullDuplex ?? false });
    const window = new Ne2000Window(this.core);
    this.spec = {
      vendorId: 4332,
      deviceId: 32809,
      revision: opts.revision ?? 0,
      classCode: 131072,
      subsystemVendorId: 4332,
      subsystemId: 32809,
      interruptPin: 1,
      bars: [{ kind: "io", size: NE2000_WINDOW_SIZE, handler: window }]
    };
  }
  attachIntx(line) {
    this.core.attachIrq(line);
  }
  /** PCI RST#: the chip's RESET pin. */
  reset() {
    this.core.hardwareReset();
  }
  connect(medium) {
    this.core.connect(medium);
  }
  saveState() {
    return this.core.saveState();
  }
  loadState(s) {
    this.core.loadState(s);
  }
};

// emulator/guest/guest-clock.ts
var NS_PER_INSTRUCTION = 1;
var NS_PER_CLOCK_READ = 2;
var GuestClock = class {
  /** `counter` reads v86's instruction counter (u32). */
  constructor(counter) {
    this.counter = counter;
  }
  counter;
  start = 0;
  instructions = 0;
  reads = 0;
  idle = 0;
  lastRaw = 0;
  /** Power-on at simulation time `t` (the counter is whatever v86 holds now). */
  powerOn(t) {
    this.start = t;
    this.instructions = 0;
    this.reads = 0;
    this.idle = 0;
    this.lastRaw = this.counter() >>> 0;
  }
  poll() {
    const raw = this.counter() >>> 0;
    this.instructions += raw - this.lastRaw >>> 0;
    this.lastRaw = raw;
  }
  /** Guest time now (ns). Does not count as a guest clock read. */
  now() {
    this.poll();
    return this.start + this.instructions * NS_PER_INSTRUCTION + this.reads * NS_PER_CLOCK_READ + this.idle;
  }
  /** A read by v86 (microtick): charges one read and returns the time in ms. */
  read() {
    this.reads++;
    return this.now() / 1e6;
  }
  /** Instructions retired since power-on. */
  get retired() {
    this.poll();
    return this.instructions;
  }
  /** Total idle time skipped so far. */
  get idleNs() {
    return this.idle;
  }
  /** The halted CPU resumes at simulation time `t`: the time in between was idle. No effect if t <= now. */
  skipTo(t) {
    const n = this.now();
    if (t > n) this.idle += t - n;
  }
  saveState() {
    this.poll();
    return { v: 1, start: this.start, instructions: this.instructions, reads: this.reads, idle: this.idle };
  }
  /** Restore; the instruction counter of the (restored) v86 is re-read as the new reference. */
  loadState(s) {
    this.start = s.start;
    this.instructions = s.instructions;
    this.reads = s.reads;
    this.idle = s.idle;
    this.lastRaw = this.counter() >>> 0;
  }
};

// emulator/guest/guest-log.ts
function accessCode(target, offset, size, write) {
  return target * 4096 + (offset & 255) * 16 + size * 2 + (write ? 1 : 0);
}
function decodeAccess(code) {
  return {
    target: Math.floor(code / 4096),
    offset: code >>> 4 & 255,
    size: code >>> 1 & 7,
    write: (code & 1) === 1
  };
}
var GuestLog = class _GuestLog {
  quanta = [];
  wakes = [];
  dma = [];
  /** Replay cursors. */
  qi = 0;
  wi = 0;
  di = 0;
  nextQuantum() {
    return this.quanta[this.qi++];
  }
  /** The wake recorded for poke number `poke`, if any (consumed). */
  wakeAt(poke) {
    const w = this.wakes[this.wi];
    if (w && w.poke === poke) {
      this.wi++;
      return w;
    }
    return void 0;
  }
  nextDma() {
    return this.dma[this.di++];
  }
  /** Everything was consumed (a replay that ends at the snapshot point must have used the whole log). */
  get exhausted() {
    return this.qi === this.quanta.length && this.wi === this.wakes.length && this.di === this.dma.length;
  }
  get position() {
    return `quantum ${this.qi}/${this.quanta.length}, wake ${this.wi}/${this.wakes.length}, dma ${this.di}/${this.dma.length}`;
  }
  saveState() {
    return { v: 1, quanta: this.quanta.map((q) => ({ ops: [...q.ops], next: q.next })), wakes: this.wakes.map((w) => ({ ...w })), dma: this.dma.map(bytesToB64) };
  }
  static load(s) {
    const l = new _GuestLog();
    l.quanta = s.quanta.map((q) => ({ ops: [...q.ops], next: q.next }));
    l.wakes = s.wakes.map((w) => ({ ...w }));
    l.dma = s.dma.map((d) => b64ToBytes(d));
    return l;
  }
};

// emulator/guest/v86-runtime.ts
var fs = __toESM(require("node:fs"));
var path = __toESM(require("node:path"));
var GUEST_EPOCH_MS = Date.UTC(2024, 0, 1);
var current = null;
var unpinnedReads = 0;
function host() {
  if (!current) unpinnedReads++;
  return current;
}
function withHost(h, fn) {
  const prev = current;
  current = h;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
var pinnedPerformance = {
  now: () => host()?.microtick() ?? 0
};
var RealDate = Date;
var PinnedDate = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(host()?.dateNow() ?? GUEST_EPOCH_MS);
    else super(...args);
  }
  static now() {
    return host()?.dateNow() ?? GUEST_EPOCH_MS;
  }
};
var pinnedMath = Object.create(Math, {
  random: { value: () => host()?.random() ?? 0.5 }
});
var pinnedCrypto = {
  getRandomValues(view) {
    const h = host();
    if (h) h.fillRandom(view);
    else new Uint8Array(view.buffer, view.byteOffset, view.byteLength).fill(0);
    return view;
  }
};
var loaded = null;
function v86PackageDir() {
  return path.dirname(require.resolve("v86/package.json"));
}
function load() {
  if (loaded) return loaded;
  const dir = v86PackageDir();
  const text = fs.readFileSync(path.join(dir, "build", "libv86.js"), "utf8");
  const mod = { exports: {} };
  const factory = new Function("module", "exports", "require", "__dirname", "performance", "Date", "Math", "crypto", text);
  factory.call(globalThis, mod, mod.exports, require, path.join(dir, "build"), pinnedPerformance, PinnedDate, pinnedMath, pinnedCrypto);
  const V86 = mod.exports["V86"];
  if (typeof V86 !== "function") throw new Error(`v86: ${dir}/build/libv86.js did not export V86`);
  const wasm = new Wasm.Module(fs.readFileSync(path.join(dir, "build", "v86.wasm")));
  loaded = { V86, wasm, dir };
  return loaded;
}
var WASM_TABLE_OFFSET = 1024;
async function createV86(opts, h) {
  const { V86, wasm } = load();
  const prev = current;
  current = h;
  try {
    const starter = new V86({
      ...opts,
      wasm_fn: (env) => Promise.resolve(new Wasm.Instance(wasm, env).exports)
    });
    await new Promise((resolve) => starter.add_listener("emulator-loaded", () => resolve()));
    const machine = starter.v86;
    if (!machine) throw new Error("v86: emulator-loaded without an emulator");
    machine.next_tick = () => void 0;
    const cpu = machine.cpu;
    const pending = [];
    cpu.codegen_finalize = (index, start, flags, ptr, len) => {
      pending.push({ index, start, flags, code: new Uint8Array(cpu.wasm_memory.buffer, ptr >>> 0, len >>> 0).slice() });
    };
    const finishJit = () => {
      while (pending.length > 0) {
        const p = pending.shift();
        const inst = new Wasm.Instance(new Wasm.Module(p.code), { e: cpu.jit_imports });
        cpu.wm.wasm_table.set(p.index + WASM_TABLE_OFFSET, inst.exports["f"]);
        cpu.codegen_finalize_finished(p.index, p.start, p.flags);
      }
    };
    return { starter, machine, finishJit };
  } finally {
    current = prev;
  }
}

// emulator/guest/guest-machine.ts
var IN_HLT = 616;
var INSTRUCTION_COUNTER = 664;
var GuestMachine = class {
  constructor(ctx, rng) {
    this.ctx = ctx;
    this.rng = rng;
    this.clock = new GuestClock(() => this.counter());
    this.quantumEv = new SimEvent(`${ctx.name}.cpu`, () => this.quantum(), Priority.Cpu);
    this.host = {
      microtick: () => this.clock.read(),
      dateNow: () => GUEST_EPOCH_MS + Math.floor(this.clock.now() / 1e6),
      random: () => this.rng.float(),
      fillRandom: (view) => {
        const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        for (let i = 0; i < b.length; i++) b[i] = this.rng.u32() & 255;
      }
    };
  }
  ctx;
  rng;
  clock;
  /** What the guest did since power-on (appended in live mode; becomes part of snapshots). */
  log = new GuestLog();
  replaying = null;
  instance = null;
  quantumEv;
  targets = [];
  attachments = [];
  serialListeners = [];
  ops = null;
  pokes = 0;
  poweredOn = false;
  counterView = null;
  hltView = null;
  host;
  /** Quanta run (live or replayed) since this object was built. */
  quanta = 0;
  /** Replay met a read whose value differs from the log (the rebuilt world is not the recorded one). */
  divergence = null;
  get mode() {
    return this.instance ? "live" : this.replaying ? "replay" : "detached";
  }
  get cpu() {
    return this.instance?.machine.cpu ?? null;
  }
  get v86() {
    return this.instance;
  }
  /** Register window the guest can access; returns its id in the log. */
  addTarget(handler) {
    this.targets.push(handler);
    return this.targets.length - 1;
  }
  addAttachment(a) {
    this.attachments.push(a);
    if (this.instance) a.bind(this.instance.machine.cpu);
  }
  /** Serial output of the guest (console text, in the order produced; called inside quanta). */
  onSerial(fn) {
    this.serialListeners.push(fn);
  }
  /** Bind a freshly created v86 instance (cold boot). */
  bind(instance) {
    if (this.instance) throw new Error(`${this.ctx.name}: already has a CPU`);
    this.instance = instance;
    instance.starter.add_listener("serial0-output-byte", (b) => this.serialOut(String.fromCharCode(b & 255)));
    for (const a of this.attachments) a.bind(instance.machine.cpu);
  }
  /** Rebuild from `log` instead of running a CPU (until `takeOver`). */
  startReplay(log) {
    if (this.instance) throw new Error(`${this.ctx.name}: cannot replay with a CPU bound`);
    this.replaying = log;
  }
  /** Power on: the first quantum runs now. */
  powerOn() {
    this.poweredOn = true;
    if (this.instance) this.clock.powerOn(this.ctx.queue.now);
    this.ctx.tracer.emit(this.ctx.node, "guest", "power-on", 0, { mode: this.mode });
    this.ctx.queue.schedule(this.quantumEv, this.ctx.queue.now);
  }
  /** Guest time (ns); equals queue time while halted, runs ahead by at most one quantum while busy. */
  get guestTime() {
    return this.instance ? this.clock.now() : this.ctx.queue.now;
  }
  get halted() {
    return this.instance ? this.hlt() !== 0 : true;
  }
  /**
   * An input of the guest changes from outside its CPU (an interrupt line, serial input): apply it in the
   * pinned scope; if it ended a halt, the CPU's next quantum moves to now.
   */
  poke(apply) {
    const n = this.pokes++;
    const q = this.ctx.queue;
    if (this.replaying && !this.instance) {
      const w = this.replaying.wakeAt(n);
      if (w) q.reschedule(this.quantumEv, w.at);
      return;
    }
    if (!this.instance) return;
    if (this.ops) {
      withHost(this.host, apply);
      return;
    }
    const wasHalted = this.hlt() !== 0;
    withHost(this.host, () => {
      if (wasHalted) this.clock.skipTo(q.now);
      apply();
    });
    if (wasHalted && this.hlt() === 0 && this.quantumEv.scheduled) {
      const at = Math.max(q.now, this.clock.now());
      if (this.quantumEv.when > at) {
        q.reschedule(this.quantumEv, at);
        this.log.wakes.push({ poke: n, at });
      }
    }
  }
  /** A guest register access through window `target` (port windows and config hooks call this). */
  record(target, offset, size, write, value) {
    this.ops?.push(accessCode(target, offset, size, write), value);
  }
  /** During a replay: the bytes the next bus-master read got in the recorded run. */
  replayDma() {
    return this.replaying?.nextDma();
  }
  /** Save what a restore needs besides v86's own state. */
  saveState() {
    return { v: 1, pokes: this.pokes, poweredOn: this.poweredOn, clock: this.clock.saveState(), rng: this.rng.state(), log: this.log.saveState() };
  }
  /**
   * End of a replay: a restored v86 instance takes over at the current time. The replay must have consumed
   * the whole log and seen the same number of pokes; the log continues (a later snapshot holds everything).
   */
  takeOver(instance, v86State, s) {
    checkVersion(`${this.ctx.name} guest`, s, 1);
    const log = this.replaying;
    if (!log) throw new Error(`${this.ctx.name}: takeOver without replay`);
    if (!log.exhausted) throw new Error(`${this.ctx.name}: replay stopped at ${log.position}`);
    if (this.pokes !== s.pokes) throw new Error(`${this.ctx.name}: replay saw ${this.pokes} pokes, the snapshot ${s.pokes}`);
    if (this.divergence) throw new Error(`${this.ctx.name}: replay diverged: ${this.divergence}`);
    this.replaying = null;
    this.bind(instance);
    this.counterView = null;
    this.hltView = null;
    withHost(this.host, () => instance.machine.restore_state(v86State));
    this.clock.loadState(s.clock);
    this.rng.setState(s.rng);
    this.log = log;
  }
  quantum() {
    this.quanta++;
    if (this.instance) this.liveQuantum(this.instance.machine.cpu);
    else if (this.replaying) this.replayQuantum(this.replaying);
  }
  liveQuantum(cpu) {
    const q = this.ctx.queue;
    this.ops = [];
    let t = 0;
    withHost(this.host, () => {
      this.clock.skipTo(q.now);
      t = cpu.main_loop();
      this.instance?.finishJit();
    });
    const g = this.clock.now();
    let next;
    if (this.hlt() !== 0) {
      const wait = Number.isFinite(t) && t > 0 ? Math.ceil(t * 1e6) : 1;
      next = Math.max(q.now, g) + Math.max(1, wait);
    } else {
      next = Math.max(q.now + 1, g);
    }
    this.log.quanta.push({ ops: this.ops, next });
    this.ops = null;
    q.schedule(this.quantumEv, next);
  }
  replayQuantum(log) {
    const qn = log.nextQuantum();
    if (!qn) {
      this.divergence ??= `quantum at ${this.ctx.queue.now} beyond the end of the log`;
      return;
    }
    const ops = qn.ops;
    for (let i = 0; i < ops.length; ) {
      const op = ops[i];
      if (typeof op === "string") {
        this.deliverSerial(op);
        i++;
        continue;
      }
      const value = ops[i + 1];
      i += 2;
      const a = decodeAccess(op);
      const target = this.targets[a.target];
      if (!target) {
        this.divergence ??= `no register window ${a.target}`;
        continue;
      }
      if (a.write) target.write(a.offset, a.size, value);
      else {
        const got = target.read(a.offset, a.size);
        if (got !== value) this.divergence ??= `read of window ${a.target} +${a.offset} gave ${got}, log has ${value} (t=${this.ctx.queue.now})`;
      }
    }
    this.ctx.queue.schedule(this.quantumEv, qn.next);
  }
  serialOut(ch) {
    const ops = this.ops;
    if (ops) {
      const last = ops.length - 1;
      if (last >= 0 && typeof ops[last] === "string") ops[last] = ops[last] + ch;
      else ops.push(ch);
    }
    this.deliverSerial(ch);
  }
  deliverSerial(text) {
    for (const l of this.serialListeners) l(text);
  }
  counter() {
    const inst = this.instance;
    if (!inst) return 0;
    const buf = inst.machine.cpu.wasm_memory.buffer;
    if (!this.counterView || this.counterView.buffer !== buf) this.counterView = new Uint32Array(buf, INSTRUCTION_COUNTER, 1);
    return this.counterView[0];
  }
  hlt() {
    const inst = this.instance;
    if (!inst) return 1;
    const buf = inst.machine.cpu.wasm_memory.buffer;
    if (!this.hltView || this.hltView.buffer !== buf) this.hltView = new Uint8Array(buf, IN_HLT, 1);
    return this.hltView[0];
  }
};

// emulator/bus/types.ts
function sizeMask(size) {
  return size === 4 ? 4294967295 : size === 2 ? 65535 : 255;
}

// emulator/board/pci-config.ts
var PCI_VENDOR_ID = 0;
var PCI_DEVICE_ID = 2;
var PCI_COMMAND = 4;
var PCI_STATUS = 6;
var PCI_REVISION_ID = 8;
var PCI_CLASS_PROG = 9;
var PCI_CACHE_LINE_SIZE = 12;
var PCI_LATENCY_TIMER = 13;
var PCI_HEADER_TYPE = 14;
var PCI_BAR0 = 16;
var PCI_SUBSYSTEM_VENDOR_ID = 44;
var PCI_SUBSYSTEM_ID = 46;
var PCI_CAPABILITY_LIST = 52;
var PCI_INTERRUPT_LINE = 60;
var PCI_INTERRUPT_PIN = 61;
var PCI_CAP_START = 64;
var PCI_COMMAND_IO = 1;
var PCI_COMMAND_MEMORY = 2;
var PCI_COMMAND_MASTER = 4;
var PCI_STATUS_CAP_LIST = 16;
var PCI_STATUS_DEVSEL_MEDIUM = 512;
var STATUS_RW1C = 63744;
var PCI_BAR_IO = 1;
var PCI_BAR_MEM_PREFETCH = 8;
var PCI_CONFIG_SIZE = 256;
var MAX_BARS = 6;
var PciConfigSpace = class {
  constructor(fn, label) {
    this.fn = fn;
    this.label = label;
    const spec = fn.spec;
    if (spec.bars.length > MAX_BARS) throw new Error(`${label}: ${spec.bars.length} BARs (at most ${MAX_BARS})`);
    if (!(spec.interruptPin >= 0 && spec.interruptPin <= 4)) throw new Error(`${label}: interrupt pin ${spec.interruptPin}`);
    spec.bars.forEach((b, i) => {
      const min = b.kind === "io" ? 4 : 16;
      if (b.size < min || (b.size & b.size - 1) !== 0 || b.size > 2147483648) {
        throw new Error(`${label}: BAR${i} size ${b.size} is not a power of two >= ${min}`);
      }
    });
    this.bars = spec.bars;
    this.build();
  }
  fn;
  label;
  bytes = new Uint8Array(PCI_CONFIG_SIZE);
  wmask = new Uint8Array(PCI_CONFIG_SIZE);
  w1c = new Uint8Array(PCI_CONFIG_SIZE);
  /** BAR specs by BAR index (0–5). */
  bars;
  onDecodeChange = null;
  /** Restore power-on contents (RST#). */
  reset() {
    this.bytes.fill(0);
    this.build();
  }
  get command() {
    return this.get16(PCI_COMMAND);
  }
  /** Set bits the hardware raises itself (received master abort, …). */
  raiseStatus(bits) {
    this.set16(PCI_STATUS, this.get16(PCI_STATUS) | bits);
  }
  /** Header type bit 7: the host sets it when the device has more than one function. */
  setMultiFunction(on) {
    const v = this.bytes[PCI_HEADER_TYPE];
    this.bytes[PCI_HEADER_TYPE] = on ? v | 128 : v & 127;
  }
  /** Decoded base address of BAR `i` (type bits removed). */
  barBase(i) {
    const raw = this.get32(PCI_BAR0 + 4 * i);
    const bar = this.bars[i];
    if (!bar) return 0;
    return (bar.kind === "io" ? raw & ~3 : raw & ~15) >>> 0;
  }
  read(offset, size) {
    const dev = this.fn.configRead?.(offset, size);
    if (dev !== void 0) return (dev & sizeMask(size)) >>> 0;
    let v = 0;
    for (let i = 0; i < size; i++) v += (this.bytes[offset + i & 255] ?? 0) * 2 ** (8 * i);
    return v;
  }
  write(offset, size, value) {
    value = (value & sizeMask(size)) >>> 0;
    if (this.fn.configWrite?.(offset, size, value)) return;
    for (let i = 0; i < size; i++) {
      const o = offset + i & 255;
      const b = value >>> 8 * i & 255;
      const m = this.wmask[o];
      let n = this.bytes[o] & ~m | b & m;
      n &= ~(b & this.w1c[o]);
      this.bytes[o] = n & 255;
    }
    const end = offset + size;
    const touchesCommand = offset < PCI_COMMAND + 2 && end > PCI_COMMAND;
    const touchesBars = offset < PCI_BAR0 + 4 * MAX_BARS && end > PCI_BAR0;
    if ((touchesCommand || touchesBars) && this.onDecodeChange) this.onDecodeChange();
  }
  /** Save only the bytes: masks and layout are rebuilt from the spec. */
  save() {
    return Array.from(this.bytes);
  }
  load(bytes) {
    if (bytes.length !== PCI_CONFIG_SIZE) throw new Error(`${this.label}: config snapshot of ${bytes.length} bytes`);
    this.bytes.set(bytes);
  }
  build() {
    const s = this.fn.spec;
    this.wmask.fill(0);
    this.w1c.fill(0);
    this.set16(PCI_VENDOR_ID, s.vendorId);
    this.set16(PCI_DEVICE_ID, s.deviceId);
    this.setMask16(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    const caps = s.capabilities ?? [];
    this.set16(PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | (caps.length > 0 ? PCI_STATUS_CAP_LIST : 0));
    this.w1c[PCI_STATUS] = STATUS_RW1C & 255;
    this.w1c[PCI_STATUS + 1] = STATUS_RW1C >>> 8;
    this.bytes[PCI_REVISION_ID] = s.revision & 255;
    this.bytes[PCI_CLASS_PROG] = s.classCode & 255;
    this.set16(PCI_CLASS_PROG + 1, s.classCode >>> 8 & 65535);
    this.wmask[PCI_CACHE_LINE_SIZE] = 255;
    this.wmask[PCI_LATENCY_TIMER] = 255;
    this.bytes[PCI_HEADER_TYPE] = 0;
    this.bars.forEach((b, i) => {
      const off = PCI_BAR0 + 4 * i;
      const type = b.kind === "io" ? PCI_BAR_IO : b.prefetchable ? PCI_BAR_MEM_PREFETCH : 0;
      const low = b.kind === "io" ? 3 : 15;
      this.set32(off, type);
      this.setMask32(off, ~(b.size - 1) & ~low);
    });
    this.set16(PCI_SUBSYSTEM_VENDOR_ID, s.subsystemVendorId ?? 0);
    this.set16(PCI_SUBSYSTEM_ID, s.subsystemId ?? 0);
    this.wmask[PCI_INTERRUPT_LINE] = 255;
    this.bytes[PCI_INTERRUPT_PIN] = s.interruptPin;
    this.layoutCapabilities();
  }
  /** Capabilities from 0x40 upward, each dword-aligned: [id, next, body…]; next = 0 ends the list (§6.7). */
  layoutCapabilities() {
    const caps = this.fn.spec.capabilities ?? [];
    let off = PCI_CAP_START;
    let prevNext = PCI_CAPABILITY_LIST;
    for (const [n, cap] of caps.entries()) {
      if (off + 2 + cap.body.length > PCI_CONFIG_SIZE) {
        throw new Error(`${this.label}: capability #${n} (id ${cap.id}) does not fit in config space`);
      }
      this.bytes[prevNext] = off;
      this.bytes[off] = cap.id & 255;
      this.bytes[off + 1] = 0;
      cap.body.forEach((b, j) => this.bytes[off + 2 + j] = b & 255);
      for (const j of cap.writable ?? []) {
        if (j < 0 || j >= cap.body.length) throw new Error(`${this.label}: capability ${cap.id} writable byte ${j} outside body`);
        this.wmask[off + 2 + j] = 255;
      }
      prevNext = off + 1;
      off = off + 2 + cap.body.length + 3 & ~3;
    }
  }
  get16(o) {
    return this.bytes[o] | this.bytes[o + 1] << 8;
  }
  get32(o) {
    return (this.get16(o) | this.get16(o + 2) << 16) >>> 0;
  }
  set16(o, v) {
    this.bytes[o] = v & 255;
    this.bytes[o + 1] = v >>> 8 & 255;
  }
  set32(o, v) {
    this.set16(o, v & 65535);
    this.set16(o + 2, v >>> 16 & 65535);
  }
  setMask16(o, m) {
    this.wmask[o] = m & 255;
    this.wmask[o + 1] = m >>> 8 & 255;
  }
  setMask32(o, m) {
    this.setMask16(o, m & 65535);
    this.setMask16(o + 2, m >>> 16 & 65535);
  }
};

// emulator/guest/port-window.ts
var V86PortWindow = class {
  constructor(io, size, handler, label) {
    this.io = io;
    this.size = size;
    this.handler = handler;
    this.label = label;
  }
  io;
  size;
  handler;
  label;
  base = null;
  saved = [];
  /** The guest touches the window (set by the owner; runs before the handler). */
  hook = null;
  get mappedAt() {
    return this.base;
  }
  map(base) {
    if (this.base === base) return;
    this.unmap();
    if (base + this.size > 65536) return;
    this.base = base;
    this.saved = [];
    for (let i = 0; i < this.size; i++) {
      this.saved.push(this.io.ports[base + i]);
      this.io.ports[base + i] = this.entry(i);
    }
  }
  unmap() {
    if (this.base === null) return;
    for (let i = 0; i < this.size; i++) {
      const prev = this.saved[i];
      this.io.ports[this.base + i] = prev ?? this.io.create_empty_entry();
    }
    this.base = null;
    this.saved = [];
  }
  entry(offset) {
    const h = this.handler;
    const read = (size) => {
      const v = h.read(offset, size);
      this.hook?.(false, offset, size, v);
      return v;
    };
    const write = (size, v) => {
      const m = size === 4 ? v >>> 0 : v & (size === 2 ? 65535 : 255);
      this.hook?.(true, offset, size, m);
      h.write(offset, size, m);
    };
    return {
      read8: () => read(1),
      read16: () => read(2),
      read32: () => read(4),
      write8: (v) => write(1, v),
      write16: (v) => write(2, v),
      write32: (v) => write(4, v),
      device: this
    };
  }
};

// emulator/guest/v86-pci.ts
function v86SlotTaken(pci, device) {
  return pci.devices[device << 3] !== void 0;
}
var owned = /* @__PURE__ */ new WeakMap();
function hookConfig(pci) {
  let table = owned.get(pci);
  if (table) return table;
  const t = /* @__PURE__ */ new Map();
  table = t;
  owned.set(pci, t);
  const query = pci.pci_query.bind(pci);
  const w8 = pci.pci_write8.bind(pci);
  const w16 = pci.pci_write16.bind(pci);
  const w32 = pci.pci_write32.bind(pci);
  pci.pci_query = () => {
    const a = t.get(pci.pci_addr[2] << 8 | pci.pci_addr[1]);
    if (!a) return query();
    pci.pci_status32[0] = 2147483648 | 0;
    pci.pci_response32[0] = a.configAccess(pci.pci_addr[0] & 252, 4, false, 0) | 0;
  };
  const write = (size, orig) => (address, value) => {
    const a = t.get(address >>> 8 & 65535);
    if (!a) return orig(address, value);
    a.configAccess(address & 255, size, true, value);
  };
  pci.pci_write8 = write(1, w8);
  pci.pci_write16 = write(2, w16);
  pci.pci_write32 = write(4, w32);
  return t;
}
var V86PciAttachment = class {
  constructor(guest, fn, slot, label) {
    this.guest = guest;
    this.fn = fn;
    this.slot = slot;
    this.label = label;
    this.pciId = slot << 3;
    this.cs = new PciConfigSpace(fn, label);
    this.cs.onDecodeChange = () => this.remap();
    const cs = this.cs;
    this.configTarget = guest.addTarget({
      read: (o, s) => cs.read(o, s),
      write: (o, s, v) => {
        cs.write(o, s, v);
        this.syncSpace();
      }
    });
    fn.spec.bars.forEach((bar) => {
      const h = bar.handler;
      this.barTargets.push(guest.addTarget(h));
      this.windows.push(null);
      this.decoded.push(null);
    });
    const self = this;
    const line = {
      set: (level) => {
        if (level === this.level) return;
        this.level = level;
        this.guest.poke(() => {
          const pci = this.pci;
          if (!pci) return;
          if (level) pci.raise_irq(this.pciId);
          else pci.lower_irq(this.pciId);
        });
      },
      get level() {
        return self.level;
      }
    };
    fn.attachIntx(line);
    guest.addAttachment(this);
  }
  guest;
  fn;
  slot;
  label;
  cs;
  pciId;
  configTarget;
  windows = [];
  /** Where each BAR is decoded (null: off). Tracked with or without a CPU, so replay traces the same. */
  decoded = [];
  barTargets = [];
  pci = null;
  cpu = null;
  space = null;
  level = false;
  bind(cpu) {
    const pci = cpu.devices.pci;
    const table = hookConfig(pci);
    if (table.has(this.pciId) || v86SlotTaken(pci, this.slot)) throw new Error(`${this.label}: PCI device ${this.slot} is taken in v86`);
    this.cpu = cpu;
    this.pci = pci;
    this.space = pci.register_device({ pci_id: this.pciId, pci_space: Array.from(this.cs.bytes), pci_bars: [], name: this.label });
    table.set(this.pciId, this);
    this.fn.spec.bars.forEach((bar, i) => {
      if (bar.kind !== "io") return;
      const w = new V86PortWindow(cpu.io, bar.size, bar.handler, `${this.label} BAR${i}`);
      const target = this.barTargets[i];
      w.hook = (write, offset, size, value) => this.guest.record(target, offset, size, write, value);
      this.windows[i] = w;
      this.apply(i);
    });
  }
  /** A configuration access by the guest (through the hooked v86 PCI bus). */
  configAccess(reg, size, write, value) {
    if (write) {
      const v2 = (size === 4 ? value >>> 0 : value & (size === 2 ? 65535 : 255)) >>> 0;
      this.guest.record(this.configTarget, reg, size, true, v2);
      this.cs.write(reg, size, v2);
      this.syncSpace();
      return 0;
    }
    const v = this.cs.read(reg, size);
    this.guest.record(this.configTarget, reg, size, false, v);
    return v;
  }
  /** v86 keeps its own copy (its snapshots, and `raise_irq` reads the interrupt pin from it). */
  syncSpace() {
    this.space?.set(new Int32Array(this.cs.bytes.buffer, this.cs.bytes.byteOffset, 64));
  }
  remap() {
    const io = (this.cs.command & PCI_COMMAND_IO) !== 0;
    this.fn.spec.bars.forEach((bar, i) => {
      const base = this.cs.barBase(i);
      const want = io && bar.kind === "io" && base !== 0 ? base : null;
      if (bar.kind !== "io" && base !== 0 && this.decoded[i] !== base) {
        this.decoded[i] = base;
        this.trace("bar-unsupported", { dev: this.label, bar: i, kind: bar.kind, base });
        return;
      }
      if (want === this.decoded[i]) return;
      this.decoded[i] = want;
      this.trace(want === null ? "bar-unmap" : "bar-map", { dev: this.label, bar: i, base: want ?? 0, size: bar.size });
      this.apply(i);
    });
  }
  /** Make v86's I/O space match `decoded[i]` (nothing without a CPU). */
  apply(i) {
    const w = this.windows[i];
    if (!w) return;
    const want = this.decoded[i] ?? null;
    if (want === w.mappedAt) return;
    w.unmap();
    if (want !== null) w.map(want);
  }
  trace(probe, f) {
    this.guest.ctx.tracer.emit(this.guest.ctx.node, "pci", probe, 0, f);
  }
};

// ../../tmp/exp/exp1.ts
async function main() {
  const sim = new Simulation(1);
  const hub = new Hub(componentContext(sim, "", "hub0"));
  const ctx = (n) => componentContext(sim, "linux1", `linux1.${n}`);
  const g = new GuestMachine(ctx("v86"), sim.rngs.stream("linux1.v86"));
  const nic = new Rtl8029Pci(ctx("nic0"), { mac: [2, 0, 0, 0, 1, 0] });
  nic.connect(hub);
  new V86PciAttachment(g, nic, 6, "linux1.nic0");
  const buf = (p) => {
    const b = fs2.readFileSync(p);
    return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
  };
  const t0 = Date.now();
  const inst = await createV86({
    memory_size: 128 * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: buf("/tmp/g/bios.bin"),
    vga_bios: buf("/tmp/g/vgabios-stdvga.bin"),
    bzimage: buf("/tmp/g/bzImage"),
    initrd: buf("/tmp/g/initrd.gz"),
    cmdline: "console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on cryptomgr.notests qnxemu.modules=8390,ne2k-pci qnxemu.ip=eth0:10.0.0.3/24",
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    net_device: { type: "none" }
  }, g.host);
  console.log("created in", Date.now() - t0, "ms");
  g.bind(inst);
  let out = "";
  g.onSerial((t) => {
    out += t;
    process.stdout.write(t);
    if (out.endsWith("qnxemu-guest-ready")) console.log(`
[READY at q=${sim.queue.now} instr=${g.clock.retired} g=${g.clock.now()}]`);
  });
  g.powerOn();
  const EIPS = /* @__PURE__ */ new Map();
  const cpu = inst.machine.cpu;
  const qev = g.quantumEv;
  const cb = qev.callback;
  qev.callback = () => {
    cb();
    const s = Math.floor(sim.queue.now / 1e8);
    if (s >= 30 && s < 65) {
      const e = cpu.instruction_pointer[0] >>> 0;
      EIPS.set(e, (EIPS.get(e) ?? 0) + 1);
    }
  };
  process.on("exit", () => {
    const a = [...EIPS].sort((x, y) => y[1] - x[1]).slice(0, 15);
    fs2.writeFileSync("/tmp/exp/eips.json", JSON.stringify(a));
  });
  const t1 = Date.now();
  const stop = new SimEvent("stop", () => void 0, Priority.Stop);
  let ready = false;
  while (!ready && sim.queue.now < 12e10) {
    sim.queue.runUntil(sim.queue.now + 1e9);
    if (out.includes("guest# ")) ready = true;
    console.log(`
[v ${(sim.queue.now / 1e9).toFixed(1)}s wall ${((Date.now() - t1) / 1e3).toFixed(1)}s instr ${g.clock.retired} idle ${(g.clock.idleNs / 1e9).toFixed(2)}s quanta ${g.quanta} jit ${stats.n} ${stats.ms.toFixed(0)}ms ${stats.bytes}]`);
  }
  const send = new SimEvent("type", () => g.poke(() => inst.starter.serial0_send(`awk '$1 >= "c54aa000" && $1 <= "c54ab900"' /proc/kallsyms | head -20; cat /proc/net/dev
`)), Priority.Scenario);
  sim.queue.schedule(send, sim.queue.now + 1e6);
  sim.queue.runUntil(sim.queue.now + 2e9);
  {
    const qs = g.log.quanta.slice(-3e3);
    const h = /* @__PURE__ */ new Map();
    let prev = 0;
    for (const q of qs) {
      const d = q.next - prev;
      prev = q.next;
      const k = Math.round(Math.log10(Math.max(1, d)));
      h.set(k, (h.get(k) ?? 0) + 1);
    }
    console.log("gap histogram log10(ns):", [...h].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
    console.log(qs.slice(-12).map((q) => q.next).join(" "));
  }
  console.log("unpinned", unpinnedReads, "trace", sim.tracer.digest());
  process.exit(0);
}
main();
