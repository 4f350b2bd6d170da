/**
 * QoS in a path or node name: `/net/lab2~exclusive:en0/dev/ser1`, `beta~preferred:en1` (sys_arch "Specifying
 * QoS"); loadbalance is the default. Numbers are the LwL4 header's qos_type (packet-qnet6.c).
 */
import { QnetQosType } from '../wire/qnet';

export type QosName = 'loadbalance' | 'preferred' | 'exclusive';

export const QOS_WIRE: Readonly<Record<QosName, number>> = {
  loadbalance: QnetQosType.LoadBalance,
  preferred: QnetQosType.Preferred,
  exclusive: QnetQosType.Exclusive,
};

/** "beta~preferred:en1" → name and QoS; an error text for a bad QoS part. */
export function parseNodeQos(s: string): { name: string; qos: { type: QosName; ifname?: string } } | { error: string } {
  const t = s.indexOf('~');
  if (t < 0) return { name: s, qos: { type: 'loadbalance' } };
  const name = s.slice(0, t);
  const q = s.slice(t + 1);
  const [type, ifname] = q.split(':', 2) as [string, string | undefined];
  if (type === 'loadbalance') return ifname === undefined ? { name, qos: { type } } : { error: `loadbalance takes no interface (${q})` };
  if (type === 'preferred' || type === 'exclusive') {
    if (!ifname) return { error: `${type} needs an interface (${type}:en0)` };
    return { name, qos: { type, ifname } };
  }
  return { error: `unknown QoS '${type}'` };
}

/** The suffix netmgr_ndtostr shows for a QoS ('' for the default). */
export function qosSuffix(q: { type: QosName; ifname?: string }): string {
  return q.type === 'loadbalance' ? '' : `~${q.type}:${q.ifname ?? ''}`;
}
