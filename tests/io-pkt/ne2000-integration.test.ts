/**
 * The real thing: two boards with an NE2000 (ISA, 0x300 / IRQ 5) each, joined by a 10 Mb/s cable; the real
 * kernel, devnp-ne2000.so, io-pkt and the utilities from the default program table.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Board } from '../../emulator/machine/board/board';
import { Cable } from '../../emulator/machine/net/cable';
import { runStartup } from '../../firmware/startup';
import { Ne2000Isa } from '../../nic-models/ne2000';
import { Kernel } from '../../stack/kernel/kernel';
import { defaultPrograms } from '../../stack/programs';

function node(sim: Simulation, name: string, mac: number[], cable: Cable) {
  const board = new Board(componentContext(sim, name, `${name}.board`), { ramBytes: 16 << 20, cpus: 1, interruptController: '8259' });
  const nic = new Ne2000Isa(componentContext(sim, name, `${name}.ne0`), { mac: new Uint8Array(mac) });
  board.mapIsaDevice('ne0', 0x300, Ne2000Isa.PORTS, nic, nic.timing);
  nic.attachIrq(board.isaIrq(5));
  nic.connect(cable);
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259', isa: [{ name: 'ne2000', ioport: 0x300, irq: 5 }] });
  const out: string[] = [];
  const k = new Kernel(componentContext(sim, name, `${name}.procnto`), board.nodeBus(syspage), { cpus: 1, programs: defaultPrograms(), console: (t) => out.push(t) });
  k.boot();
  return { k, out, run: (lines: string[]) => k.spawn({ argv: ['sh'], script: lines.map((text, i) => ({ text, line: i + 1 })) }) };
}

test('ping over NE2000 cards and a cable, then nicinfo and netstat', () => {
  const sim = new Simulation(21);
  const cable = new Cable(componentContext(sim, '', 'cable0'));
  const a = node(sim, 'alpha', [0x00, 0x50, 0xc2, 0x00, 0x00, 0x01], cable);
  const b = node(sim, 'beta', [0x00, 0x50, 0xc2, 0x00, 0x00, 0x02], cable);
  b.run(['io-pkt-v4 -dne2000 ioport=0x300,irq=5', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  a.run(['io-pkt-v4 -dne2000 ioport=0x300,irq=5', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -c 3 10.0.0.2', 'nicinfo en0', 'netstat -i', 'arp -a']);
  sim.queue.runUntil(10_000_000_000);
  if (process.env.SHOW) console.log(a.out.join(''));
  expect(a.k.crashes).toEqual([]);
  expect(b.k.crashes).toEqual([]);
  const out = a.out.join('');
  const lines = out.split('\n');
  const i = lines.indexOf('PING 10.0.0.2 (10.0.0.2): 56 data bytes');
  expect(i).toBeGreaterThanOrEqual(0);
  for (let seq = 0; seq < 3; seq++) {
    expect(lines[i + 1 + seq]).toMatch(new RegExp(`^64 bytes from 10\\.0\\.0\\.2: icmp_seq=${seq} ttl=255 time=\\d+\\.\\d{3} ms$`));
  }
  expect(out).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss\n');
  // 98-byte frames at 10 Mb/s take ~0.1 ms each way on the wire (plus two PIO copies each side).
  const rtts = lines.slice(i + 1, i + 4).map((l) => Number(/time=([\d.]+)/.exec(l)![1]));
  for (const r of rtts) expect(r).toBeGreaterThan(0.2);
  expect(out).toMatch(/Physical Node ID \.+ 0050C2 000001\n/);
  expect(out).toMatch(/Packets Transmitted OK \.+ [1-9]\d*\n/);
  expect(out).toContain('? (10.0.0.2) at 00:50:c2:00:00:02 on en0\n');
});
