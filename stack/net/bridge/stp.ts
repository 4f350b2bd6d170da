/**
 * The bridge's spanning tree (bridgestp.c: 802.1D-1998 draft 17 as NetBSD and QNX's hc stacks carry it). Ports
 * with IFBIF_STP take part: the bridge id is the priority and the lowest MAC of those ports; configuration BPDUs
 * elect the root (lowest id), each bridge its root port (lowest root path cost, then designated bridge, port,
 * own port id) and the designated port of each segment; other ports block. A port that is to forward goes
 * listening → learning → forwarding, a forward delay (15 s) each; a port hearing nothing better for max age (20 s)
 * becomes designated again. Topology changes are notified to the root (TCN) and acknowledged (TCA).
 *
 * Timers are bridgestp.c's: bstp_tick runs every second (a stack callout) and adds BSTP_TICK_VAL (256) to each
 * active timer, whose limit is in 1/256 s. BPDUs are received in the thread that received the frame (bstp_input
 * from bridge_input) and sent with bridge_enqueue.
 *
 * Kept from bridgestp.c as it is: bstp_send_config_bpdu fills the BPDU's bridge id with the root id (cbu_bridgepri
 * and cbu_bridgeaddr from cu_rootid), so a non-root bridge's BPDUs name the root as their sender; the topology
 * change timer's limit (sc_topology_change_time) is never set, so it expires on the next tick.
 */
import { IFF_RUNNING, IFF_UP } from '../if';
import type { Mbuf } from '../mbuf';
import { macToString } from '../wire/addr';
import { bridgeEnqueue } from './forward';
import { BridgeCost } from './costs';
import type { BridgeIflist, BridgeSoftc } from './softc';
import { buildBpdu, parseBpdu, type BstpConfigUnit } from './stp-wire';
import { BSTP_MESSAGE_AGE_INCR, StpDecisions, expired, start, stop } from './stp-state';
import {
  BSTP_IFSTATE_BLOCKING, BSTP_IFSTATE_DISABLED, BSTP_IFSTATE_FORWARDING, BSTP_IFSTATE_LEARNING, BSTP_IFSTATE_LISTENING, IFBIF_STP,
} from '../../include/net/if_bridgevar';

/** Port states, spanning-tree messages, tick: the protocol machinery over StpDecisions' records and comparisons. */
export class BridgeStp extends StpDecisions {
  // ---- BPDUs out ------------------------------------------------------------------------------------------------

  protected transmitConfig(sc: BridgeSoftc, bif: BridgeIflist): void {
    const t = this.tree(sc);
    const p = this.port(bif);
    if (p.hold.active) {
      p.configPending = true;
      return;
    }
    const age = this.isRoot(t) ? 0 : this.port(t.rootPort!).messageAge.value + BSTP_MESSAGE_AGE_INCR;
    if (age >= t.maxAge) return;
    const cu: BstpConfigUnit = {
      rootId: t.designatedRoot, rootPathCost: t.rootPathCost, bridgeId: t.bridgeId, portId: p.portId, messageAge: age,
      maxAge: t.maxAge, helloTime: t.helloTime, forwardDelay: t.forwardDelay, topologyChangeAck: p.tcAck, topologyChange: t.tc,
    };
    p.tcAck = false;
    p.configPending = false;
    // bstp_send_config_bpdu writes cu_rootid into the bridge id fields too (see the header).
    this.send(sc, bif, buildBpdu(bif.ifp.lladdr, { type: 'cfg', cu: { ...cu, bridgeId: cu.rootId } }));
    start(p.hold, 0);
  }

  protected transmitTcn(sc: BridgeSoftc): void {
    const rp = this.tree(sc).rootPort;
    if (rp) this.send(sc, rp, buildBpdu(rp.ifp.lladdr, { type: 'tcn' }));
  }

  protected send(sc: BridgeSoftc, bif: BridgeIflist, data: Uint8Array): void {
    if ((bif.ifp.flags & IFF_RUNNING) === 0) return;
    this.br.s.env.charge(BridgeCost.bpdu);
    bridgeEnqueue(this.br, sc, bif.ifp, { data, pktId: this.br.s.env.newPktId() }, false);
  }

  protected configBpduGeneration(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    for (const bif of this.stpPorts(sc)) if (this.isDesignated(t, this.port(bif)) && bif.state !== BSTP_IFSTATE_DISABLED) this.transmitConfig(sc, bif);
  }


  protected portStateSelection(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    for (const bif of this.stpPorts(sc)) {
      const p = this.port(bif);
      if (bif === t.rootPort) {
        p.configPending = false;
        p.tcAck = false;
        this.makeForwarding(sc, bif);
      } else if (this.isDesignated(t, p)) {
        stop(p.messageAge);
        this.makeForwarding(sc, bif);
      } else {
        p.configPending = false;
        p.tcAck = false;
        this.makeBlocking(sc, bif);
      }
    }
  }

  protected makeForwarding(sc: BridgeSoftc, bif: BridgeIflist): void {
    if (bif.state !== BSTP_IFSTATE_BLOCKING) return;
    this.setState(sc, bif, BSTP_IFSTATE_LISTENING);
    start(this.port(bif).forwardDelay, 0);
  }

  protected makeBlocking(sc: BridgeSoftc, bif: BridgeIflist): void {
    if (bif.state === BSTP_IFSTATE_DISABLED || bif.state === BSTP_IFSTATE_BLOCKING) return;
    const p = this.port(bif);
    if ((bif.state === BSTP_IFSTATE_FORWARDING || bif.state === BSTP_IFSTATE_LEARNING) && p.changeDetection) this.topologyChangeDetection(sc);
    this.setState(sc, bif, BSTP_IFSTATE_BLOCKING);
    stop(p.forwardDelay);
  }

  protected topologyChangeDetection(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    if (this.isRoot(t)) {
      t.tc = true;
      start(t.tcTimer, 0);
    } else if (!t.tcDetected) {
      this.transmitTcn(sc);
      start(t.tcn, 0);
    }
    t.tcDetected = true;
  }

  /** The root took over or came back: its own timer values, a topology change, BPDUs and the hello timer. */
  protected becameRoot(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    t.maxAge = sc.maxAge;
    t.helloTime = sc.helloTime;
    t.forwardDelay = sc.forwardDelay;
    this.topologyChangeDetection(sc);
    stop(t.tcn);
    this.configBpduGeneration(sc);
    start(t.hello, 0);
  }

  // ---- BPDUs in -------------------------------------------------------------------------------------------------

  /** bstp_input: a BPDU received on member `bif` (the frame is consumed either way). */
  input(sc: BridgeSoftc, bif: BridgeIflist, m: Mbuf): void {
    const why = (bif.flags & IFBIF_STP) === 0 ? 'BPDU on a port without STP' : null;
    const bpdu = why ?? parseBpdu(m.data);
    if (typeof bpdu === 'string') {
      sc.stats.dropped++;
      this.br.trace('drop', m.pktId, { if: bif.ifp.name, bridge: sc.ifp.name, reason: bpdu });
      return;
    }
    this.br.s.env.charge(BridgeCost.bpdu);
    const t = this.tree(sc);
    const p = this.port(bif);
    if (bif.state === BSTP_IFSTATE_DISABLED) return;
    if (bpdu.type === 'tcn') {
      // bstp_received_tcn_bpdu
      if (this.isDesignated(t, p)) {
        this.topologyChangeDetection(sc);
        p.tcAck = true;
        this.transmitConfig(sc, bif);
      }
      return;
    }
    const cu = bpdu.cu;
    const wasRoot = this.isRoot(t);
    if (this.supersedes(t, p, cu)) {
      // bstp_record_config_information
      p.designatedRoot = cu.rootId;
      p.designatedCost = cu.rootPathCost;
      p.designatedBridge = cu.bridgeId;
      p.designatedPort = cu.portId;
      start(p.messageAge, cu.messageAge);
      this.configurationUpdate(sc);
      this.portStateSelection(sc);
      if (!this.isRoot(t) && wasRoot) {
        stop(t.hello);
        if (t.tcDetected) {
          stop(t.tcTimer);
          this.transmitTcn(sc);
          start(t.tcn, 0);
        }
      }
      if (bif === t.rootPort) {
        t.maxAge = cu.maxAge;
        t.helloTime = cu.helloTime;
        t.forwardDelay = cu.forwardDelay;
        t.tc = cu.topologyChange;
        this.configBpduGeneration(sc);
        if (cu.topologyChangeAck) {
          t.tcDetected = false;
          stop(t.tcn);
        }
      }
    } else if (this.isDesignated(t, p)) {
      this.transmitConfig(sc, bif);
    }
  }

  // ---- start, stop, tick -------------------------------------------------------------------------------------

  /** bstp_initialization: bridge id from the lowest STP port MAC; every port re-initialized; the 1 s tick armed. */
  initialization(sc: BridgeSoftc): void {
    const ports = this.stpPorts(sc);
    if (ports.length === 0) return this.stop(sc);
    const t = this.tree(sc);
    let mif = ports[0]!;
    for (const bif of ports) {
      this.port(bif).portId = ((bif.priority & 0xff) << 8) | (this.ifIndex(bif) & 0xff);
      if (macToString(bif.ifp.lladdr) < macToString(mif.ifp.lladdr)) mif = bif;
    }
    let id = BigInt(sc.priority & 0xffff) << 48n;
    for (let i = 0; i < 6; i++) id |= BigInt(mif.ifp.lladdr[i]!) << BigInt(8 * (5 - i));
    t.bridgeId = id;
    t.designatedRoot = id;
    t.rootPathCost = 0;
    t.rootPort = null;
    t.maxAge = sc.maxAge;
    t.helloTime = sc.helloTime;
    t.forwardDelay = sc.forwardDelay;
    t.tcDetected = false;
    t.tc = false;
    stop(t.tcn);
    stop(t.tcTimer);
    if (!t.tick) t.tick = this.br.s.schedule(1e9, `${sc.ifp.name}.bstp_tick`, () => this.tick(sc));
    for (const bif of sc.members) {
      if ((bif.flags & IFBIF_STP) !== 0) this.enablePort(sc, bif);
      else this.disablePort(sc, bif);
    }
    this.portStateSelection(sc);
    this.configBpduGeneration(sc);
    start(t.hello, 0);
  }

  protected ifIndex(bif: BridgeIflist): number {
    return this.br.s.ifs.has(bif.ifp) ? this.br.s.ifs.st(bif.ifp).index : 0;
  }

  /** bstp_stop: every port disabled, every timer stopped, the tick cancelled. */
  stop(sc: BridgeSoftc): void {
    for (const bif of sc.members) {
      const p = this.port(bif);
      this.setState(sc, bif, BSTP_IFSTATE_DISABLED);
      stop(p.hold);
      stop(p.messageAge);
      stop(p.forwardDelay);
    }
    const t = this.tree(sc);
    if (t.tick) this.br.s.callouts.cancel(t.tick);
    t.tick = null;
    stop(t.tcTimer);
    stop(t.tcn);
    stop(t.hello);
  }

  protected enablePort(sc: BridgeSoftc, bif: BridgeIflist): void {
    const p = this.port(bif);
    this.becomeDesignated(this.tree(sc), p);
    this.setState(sc, bif, BSTP_IFSTATE_BLOCKING);
    p.tcAck = false;
    p.configPending = false;
    p.changeDetection = true;
    stop(p.messageAge);
    stop(p.forwardDelay);
    stop(p.hold);
    this.portStateSelection(sc);
  }

  protected disablePort(sc: BridgeSoftc, bif: BridgeIflist): void {
    const t = this.tree(sc);
    const p = this.port(bif);
    const wasRoot = this.isRoot(t);
    this.becomeDesignated(t, p);
    this.setState(sc, bif, BSTP_IFSTATE_DISABLED);
    p.tcAck = false;
    p.configPending = false;
    stop(p.messageAge);
    stop(p.forwardDelay);
    this.configurationUpdate(sc);
    this.portStateSelection(sc);
    if (this.isRoot(t) && !wasRoot) this.becameRoot(sc);
  }

  /** bstp_tick (stack context, every second). */
  protected tick(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    t.tick = null;
    const ports = this.stpPorts(sc);
    for (const bif of ports) {
      // bstp_ifupdstatus: up with link (or unknown) enables a disabled port; down or no link disables it.
      const up = (bif.ifp.flags & IFF_UP) !== 0 && bif.ifp.media.linkUp;
      if (up && bif.state === BSTP_IFSTATE_DISABLED) this.enablePort(sc, bif);
      else if (!up && bif.state !== BSTP_IFSTATE_DISABLED) this.disablePort(sc, bif);
    }
    if (expired(t.hello, t.helloTime)) {
      this.configBpduGeneration(sc);
      start(t.hello, 0);
    }
    if (expired(t.tcn, sc.helloTime)) {
      this.transmitTcn(sc);
      start(t.tcn, 0);
    }
    if (expired(t.tcTimer, 0)) {
      t.tcDetected = false;
      t.tc = false;
    }
    for (const bif of ports) {
      if (!expired(this.port(bif).messageAge, t.maxAge)) continue;
      // bstp_message_age_timer_expiry
      const wasRoot = this.isRoot(t);
      this.becomeDesignated(t, this.port(bif));
      this.configurationUpdate(sc);
      this.portStateSelection(sc);
      if (this.isRoot(t) && !wasRoot) this.becameRoot(sc);
    }
    for (const bif of ports) {
      const p = this.port(bif);
      if (expired(p.forwardDelay, t.forwardDelay)) {
        if (bif.state === BSTP_IFSTATE_LISTENING) {
          this.setState(sc, bif, BSTP_IFSTATE_LEARNING);
          start(p.forwardDelay, 0);
        } else if (bif.state === BSTP_IFSTATE_LEARNING) {
          this.setState(sc, bif, BSTP_IFSTATE_FORWARDING);
          if (ports.some((b) => this.port(b).designatedBridge === t.bridgeId) && p.changeDetection) this.topologyChangeDetection(sc);
        }
      }
      if (expired(p.hold, sc.holdTime) && p.configPending) this.transmitConfig(sc, bif);
    }
    if ((sc.ifp.flags & IFF_RUNNING) !== 0) t.tick = this.br.s.schedule(1e9, `${sc.ifp.name}.bstp_tick`, () => this.tick(sc));
  }
}

