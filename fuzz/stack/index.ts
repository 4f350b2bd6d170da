/** The stack fuzz targets (docs/fuzzing.md "The stack"): malformed frames at each layer of io-pkt's stack. */
import type { FuzzTarget } from '../target';
import { stackTarget, type StackTargetSpec } from './episode';
import { etherArpSpec } from './ether-arp';
import { icmpUdpSpec } from './icmp-udp';
import { ipv4Spec } from './ipv4';
import { ipv6Spec } from './ipv6';
import { tcpSpec } from './tcp';

/** The generators behind the targets (tests run episodes of these directly). */
export const STACK_SPECS: readonly StackTargetSpec[] = [etherArpSpec, ipv4Spec, icmpUdpSpec, tcpSpec, ipv6Spec];

export const STACK_TARGETS: readonly FuzzTarget[] = STACK_SPECS.map(stackTarget);
