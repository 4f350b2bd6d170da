import { ALL_MODES, forcedAbilities, Mode, modesUpTo, type LinkAbilities, type NegotiatedLink, type NegotiationOutcome } from './autoneg';
import type { AutonegControl, AutonegEndpoint } from './link-segment';
import type { NetPortListener } from './link';

/**
 * A station attached without an `autoneg` endpoint (the DP8390's 10BASE-T MAU, test stations): forced 10BASE-T,
 * full duplex only if the station says it is capable (RTL8029 CONFIG3.FUDUP), read each time it is asked.
 * Instant: its links come up at once, as they always did.
 */
export class LegacyEndpoint implements AutonegEndpoint {
  readonly instant = true;
  constructor(private readonly listener: NetPortListener) {}
  abilities(): LinkAbilities {
    return forcedAbilities(this.listener.fullDuplexCapable === true ? Mode.T10F : Mode.T10H);
  }
}

/** The endpoint a medium uses for a station: its own, or the legacy 10BASE-T one. */
export function stationEndpoint(listener: NetPortListener): AutonegEndpoint {
  return listener.autoneg ?? new LegacyEndpoint(listener);
}

/** A hub port: a 10BASE-T repeater port sends normal link pulses only (forced 10 Mb/s half duplex). */
export class HubPortEndpoint implements AutonegEndpoint {
  readonly instant = true;
  constructor(private readonly bitRate: number) {}
  abilities(): LinkAbilities {
    return forcedAbilities(this.bitRate >= 100_000_000 ? Mode.TX100H : Mode.T10H);
  }
}

export interface SwitchPortAbilities {
  /** The fastest speed the port runs (bits per second). */
  maxBitRate: number;
  /** Advertise symmetric PAUSE (802.3x flow control). */
  flowControl: boolean;
}

/**
 * A switch port. Toward an autonegotiating station it advertises every mode up to its speed, symmetric PAUSE if
 * flow control is on, automatic MASTER-SLAVE as a multiport device (so it prefers MASTER, 40.5.1.1). Toward a
 * station without auto-negotiation it matches the station (as a port configured to match would; a real port
 * would parallel-detect half duplex, which would leave a full-duplex-capable RTL8029 in a duplex mismatch).
 */
export class SwitchPortEndpoint implements AutonegEndpoint {
  constructor(
    private readonly station: AutonegEndpoint,
    private readonly cfg: SwitchPortAbilities,
  ) {}
  get instant(): boolean {
    return this.station.instant === true;
  }
  abilities(): LinkAbilities | null {
    if (this.station.instant) return this.station.abilities();
    return { modes: modesUpTo(this.cfg.maxBitRate), autoneg: true, pause: this.cfg.flowControl, asymPause: false, ms: 'auto', multiport: true };
  }
}

/**
 * A fixed endpoint with given abilities (a NIC modelled without PHY registers, a link partner in tests). Records
 * what it is told; `restart()` restarts negotiation through its control, `setAbilities` changes what it offers
 * (null: silent, as powered down) and restarts.
 */
export class StaticEndpoint implements AutonegEndpoint {
  readonly events: { what: 'negotiated' | 'up' | 'down'; o?: NegotiationOutcome; link?: NegotiatedLink }[] = [];
  link: NegotiatedLink | null = null;
  private control: AutonegControl | null = null;
  private offer: LinkAbilities | null;
  readonly timeScale?: number;
  readonly instant?: boolean;

  constructor(abilities: Partial<LinkAbilities> | null = {}, opts: { timeScale?: number; instant?: boolean } = {}) {
    this.offer = abilities && fullAbilities(abilities);
    if (opts.timeScale !== undefined) this.timeScale = opts.timeScale;
    if (opts.instant) this.instant = true;
  }

  abilities(): LinkAbilities | null {
    return this.offer;
  }
  attached(control: AutonegControl): void {
    this.control = control;
  }
  setAbilities(a: Partial<LinkAbilities> | null): void {
    this.offer = a && fullAbilities(a);
    this.restart();
  }
  restart(): void {
    this.control?.restart();
  }
  negotiated(o: NegotiationOutcome): void {
    this.events.push({ what: 'negotiated', o });
  }
  linkUp(link: NegotiatedLink): void {
    this.link = link;
    this.events.push({ what: 'up', link });
  }
  linkDown(): void {
    this.link = null;
    this.events.push({ what: 'down' });
  }
}

/** Abilities with defaults: every mode, auto-negotiation, no PAUSE, automatic MASTER-SLAVE, single port. */
export function fullAbilities(a: Partial<LinkAbilities>): LinkAbilities {
  return {
    modes: a.modes ?? ALL_MODES,
    autoneg: a.autoneg ?? true,
    pause: a.pause ?? false,
    asymPause: a.asymPause ?? false,
    ms: a.ms ?? 'auto',
    multiport: a.multiport ?? false,
  };
}
