import { ND_LOCAL_NODE, ND_NODE_CMP } from '../../stack/kernel/kif';
import { QnetNodes, splitFqnn } from '../../stack/net/qnet/nodes';

const MAC_B = new Uint8Array([0, 0x50, 0xc2, 0, 0, 2]);
const MAC_C = new Uint8Array([0, 0x50, 0xc2, 0, 0, 3]);

describe('QnetNodes: the node table and its NDs', () => {
  test('NDs are handed out 1, 2, 3 in order of first knowledge; the node itself is ND_LOCAL_NODE', () => {
    const n = new QnetNodes('alpha', 'lab');
    const g = n.findOrAdd('gamma', 'lab')!;
    const b = n.findOrAdd('beta', 'lab')!;
    expect([g.nd, b.nd]).toEqual([1, 2]);
    expect(n.findOrAdd('gamma', 'lab')).toBe(g);
    expect(n.findOrAdd('alpha', 'lab')).toBeNull();
    expect(n.nameToNd('alpha')).toBe(ND_LOCAL_NODE);
    expect(n.nameToNd('gamma')).toBe(1);
    expect(n.nameToNd('gamma.lab')).toBe(1);
    expect(n.nameToNd('/net/beta')).toBe(2);
    expect(n.nameToNd('delta')).toBe(-1);
    // Same name in another domain is another node.
    expect(n.nameToNd('beta.other')).toBe(-1);
    expect(n.findOrAdd('beta', 'other')!.nd).toBe(3);
  });

  test('QoS slots sit above bit 16: loadbalance is slot 0, each distinct (policy, interface) gets the next', () => {
    const n = new QnetNodes('alpha', 'lab');
    const b = n.findOrAdd('beta', 'lab')!;
    const pref1 = n.nameToNd('/net/beta~preferred:en1');
    const excl0 = n.nameToNd('beta~exclusive:en0');
    // beta is ND 1; preferred:en1 is the first QoS slot after loadbalance: 1 | 1 << 16.
    expect(pref1).toBe(1 | (1 << 16));
    expect(excl0).toBe(1 | (2 << 16));
    expect(n.nameToNd('beta~preferred:en1')).toBe(pref1);
    expect(n.nameToNd('beta~loadbalance')).toBe(1);
    expect(ND_NODE_CMP(pref1, excl0)).toBe(0);
    expect(n.lookup(excl0)).toEqual({ peer: b, qos: { type: 'exclusive', ifname: 'en0' } });
    expect(n.lookup(1 | (9 << 16))).toBeNull();
    expect(n.lookup(7)).toBeNull();
    expect(n.nameToNd('beta~fastest')).toBe(-1);
  });

  test('ndToName gives the FQNN and the QoS unless loadbalance; ND 0 is this node', () => {
    const n = new QnetNodes('alpha', 'lab');
    n.findOrAdd('beta', 'lab');
    expect(n.ndToName(0)).toBe('alpha.lab');
    expect(n.ndToName(1)).toBe('beta.lab');
    expect(n.ndToName(n.nameToNd('beta~preferred:en1'))).toBe('beta.lab~preferred:en1');
    expect(n.ndToName(5)).toBeNull();
    const bare = new QnetNodes('alpha', '');
    bare.findOrAdd('beta', '');
    expect(bare.ndToName(1)).toBe('beta');
  });

  test('MACs per link; a MAC that moves to another node leaves the old one', () => {
    const n = new QnetNodes('alpha', 'lab');
    const b = n.findOrAdd('beta', 'lab')!;
    const c = n.findOrAdd('gamma', 'lab')!;
    expect(n.reachable(b)).toBe(false);
    n.setMac(b, 1, MAC_B);
    expect(b.macs).toEqual([null, MAC_B]);
    expect(n.byMac(1, MAC_B)).toBe(b);
    expect(n.byMac(0, MAC_B)).toBeNull();
    n.setMac(c, 1, MAC_B);
    expect(b.macs[1]).toBeNull();
    expect(n.byMac(1, MAC_B)).toBe(c);
    n.setMac(b, 0, MAC_C);
    expect(n.reachable(b)).toBe(true);
  });

  test('/net names: short in our domain, FQNN otherwise; parseName refuses bad QoS and paths', () => {
    const n = new QnetNodes('alpha', 'lab');
    expect(n.dirName('beta', 'lab')).toBe('beta');
    expect(n.dirName('karl', 'qnx.com')).toBe('karl.qnx.com');
    expect(splitFqnn('karl.qnx.com', 'lab')).toEqual({ name: 'karl', domain: 'qnx.com' });
    expect(n.parseName('beta~exclusive')).toEqual({ error: 'exclusive needs an interface (exclusive:en0)' });
    expect(n.parseName('beta/dev')).toEqual({ error: "'beta/dev' is not a node name" });
    expect(n.parseName('beta~preferred:en1')).toEqual({ name: 'beta', domain: 'lab', qos: { type: 'preferred', ifname: 'en1' } });
  });
});
