/**
 * The stack fuzzers' invariants bite: stacks with a planted bug (a counter increment taken back, a drop that
 * stops counting, a reply sent with a broken checksum, a reassembly limit lifted) fail their episodes with the
 * right line; and a sample of what the fuzzed stacks sent is read by tshark with checksum validation on, with no
 * malformed packet and no bad checksum.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PcapFileWriter } from '../../emulator/machine/net/pcap';
import type { StackRig } from '../../fuzz/stack/env';
import { runEpisode, type RunHooks } from '../../fuzz/stack/episode';
import { STACK_SPECS } from '../../fuzz/stack';
import { tshark } from '../qnet/wire-fixtures';

const spec = (name: string) => STACK_SPECS.find((s) => s.name === `stack/${name}`)!;

/** The first failure over a few episodes of `name` with `hooks`. */
function firstFailure(name: string, hooks: RunHooks, episodes = 6): string | null {
  for (let e = 0; e < episodes; e++) {
    const r = runEpisode(spec(name), 5, e, 1_000_000, hooks);
    if (r.failure) return r.failure;
  }
  return null;
}

/** After every input, take back any increment of `counter` (a stack that forgot to count). */
function forget(group: (rig: StackRig) => Record<string, number>, counter: string): RunHooks {
  return {
    wrapRig(rig) {
      const input = rig.s.input.bind(rig.s);
      rig.s.input = (ifp, m) => {
        const st = group(rig);
        const before = st[counter]!;
        input(ifp, m);
        st[counter] = before;
      };
    },
  };
}

describe('stack fuzzers catch planted bugs', () => {
  it('an IPv4 header checksum drop that is not counted (ipstat.badsum)', () => {
    const f = firstFailure('ipv4', forget((r) => r.s.stats.ip as unknown as Record<string, number>, 'badsum'));
    // Caught by the targeted row (counter did not move) or by conservation on a random mutation, whichever comes first.
    expect(f).toMatch(/ipv4\/badsum: ip\.badsum moved by 0, expected 1|uncounted drop at ip: "bad header checksum"/);
  });

  it('a TCP data-offset drop that is not counted (tcpstat.rcvbadoff)', () => {
    const f = firstFailure('tcp', forget((r) => r.s.tcp.stats as unknown as Record<string, number>, 'rcvbadoff'));
    expect(f).toMatch(/tcp\/bad-offset: tcp\.rcvbadoff moved by 0/);
  });

  it('a UDP drop counted under the wrong name (badsum counted as badlen)', () => {
    const f = firstFailure('icmp-udp', {
      wrapRig(rig) {
        const input = rig.s.input.bind(rig.s);
        rig.s.input = (ifp, m) => {
          const st = rig.s.stats.udp;
          const before = st.badsum;
          input(ifp, m);
          st.badlen += st.badsum - before;
          st.badsum = before;
        };
      },
    });
    expect(f).toMatch(/udp\.bad(sum|len) moved by/);
  });

  it('a frame sent with a broken IPv4 header checksum', () => {
    const f = firstFailure('icmp-udp', {
      wrapRig(rig) {
        const push = rig.en0.snd.push.bind(rig.en0.snd);
        rig.en0.snd.push = (...ms) => {
          for (const m of ms) if (m.data[12] === 0x08 && m.data[13] === 0x00 && m.data.length > 30) m.data[24] = m.data[24]! ^ 0x5a;
          return push(...ms);
        };
      },
    });
    expect(f).toMatch(/sent a bad frame: ipv4: bad header checksum/);
  });

  it('an ICMP error that vanishes: the drop is neither counted nor a documented silent drop', () => {
    const f = firstFailure('icmp-udp', forget((r) => r.s.stats.icmp as unknown as Record<string, number>, 'badlen'), 10);
    expect(f).toMatch(/icmp-error-quoting-garbage: icmp\.badlen moved by 0/);
  });

  it('an IPv6 reassembly without its fragment limit (ip6_maxfrags) breaks the queue bound', () => {
    // A flood episode sends hundreds of 8-byte fragments; with the limit check bypassed the held count passes 256.
    let failure: string | null = null;
    for (let e = 0; e < 200 && !failure; e++) {
      const r = runEpisode(spec('ipv6'), 5, e, 1_000_000, {
        wrapRig(rig) {
          const f6 = rig.s.ip6!.frag6;
          const input = f6.input.bind(f6);
          f6.input = (...a) => {
            const q = f6['queued'];
            if (q >= 256) f6['queued'] = q - 1; // the limit never sees more than 255 held
            input(...a);
            if (q >= 256) f6['queued'] = f6['queued'] + 1;
          };
        },
      });
      failure = r.failure;
    }
    expect(failure).toMatch(/frag6 holds 2\d\d fragments \(ip6_maxfrags 256\)/);
  });
});

describe('what the fuzzed stacks send', () => {
  it('is read by tshark with checksum validation: no malformed frame, no bad checksum', () => {
    const frames: Uint8Array[] = [];
    for (const s of STACK_SPECS) {
      for (let e = 0; e < 2; e++) {
        runEpisode(s, 11, e, 1_000_000, { sampleSent: 150, onDone: (c) => frames.push(...c.sentSample) });
      }
    }
    expect(frames.length).toBeGreaterThan(300);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-fuzz-'));
    const file = path.join(dir, 'sent.pcap');
    const w = new PcapFileWriter(file);
    frames.forEach((f, i) => w.writeRecord(1_000_000 * (i + 1), f));
    w.close();
    const opts = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
    const all = tshark(['-r', file, ...opts, '-T', 'fields', '-e', 'frame.number']).trim().split('\n');
    expect(all).toHaveLength(frames.length);
    const bad = tshark(['-r', file, ...opts, '-Y',
      // Outer headers only (#1; malformation and transport sums outside ICMP errors): an ICMP error quotes the
      // offending datagram as it arrived, bad sums and bad options included.
      'ip.checksum.status#1 == 0 || icmp.checksum.status#1 == 0 || icmpv6.checksum.status#1 == 0 || ' +
        '(!(icmp.type in {3, 4, 5, 11, 12}) && !(icmpv6.type < 128) && (_ws.malformed || tcp.checksum.status == 0 || udp.checksum.status == 0))',
      '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Info']).trim();
    expect(bad).toBe('');
    const protos = new Set(tshark(['-r', file, '-T', 'fields', '-e', '_ws.col.Protocol']).trim().split('\n'));
    for (const p of ['ARP', 'ICMP', 'TCP', 'ICMPv6']) expect(protos).toContain(p);
  });
});
