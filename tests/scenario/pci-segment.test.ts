/**
 * A node's `pci:` field (docs/formats/scenario.md): the board's PCI segment, 33 or 66 MHz and 32 or 64 bits,
 * default 33/32; nonsense refused with a located error; not for guests (v86's bus is 33 MHz, 32 bits); and the
 * assembled board runs what the scenario says (or 33 MHz when a 33 MHz card is on the segment).
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { errorOf } from './helpers';
import { assemble } from '../../emulator/app/assembly/run';
import type { TraceRecord } from '../../emulator/machine/sim/trace';

const base = (pci: string, nics = '[{ model: bcm5701, link: c0 }]') => `name: t
nodes:
  alpha:
    nics: ${nics}
${pci}    script: "echo hi"
links:
  c0: { type: cable }
`;


describe('node pci:', () => {
  test('default 33 MHz, 32 bits; given fields; either one alone', () => {
    expect(parseScenario(base(''), 'sc.yaml', '/tmp').nodes[0]!.pci).toEqual({ clock: 33, width: 32 });
    expect(parseScenario(base('    pci: { clock: 66, width: 64 }\n'), 'sc.yaml', '/tmp').nodes[0]!.pci).toEqual({ clock: 66, width: 64 });
    expect(parseScenario(base('    pci: { clock: 66 }\n'), 'sc.yaml', '/tmp').nodes[0]!.pci).toEqual({ clock: 66, width: 32 });
    expect(parseScenario(base('    pci: { width: 64 }\n'), 'sc.yaml', '/tmp').nodes[0]!.pci).toEqual({ clock: 33, width: 64 });
  });

  test('nonsense is refused where it is written', () => {
    let e = errorOf(base('    pci: { clock: 100, width: 64 }\n'));
    expect([e.line, e.problem]).toEqual([5, 'nodes.alpha.pci.clock: must be one of 33, 66']);
    e = errorOf(base('    pci: { clock: 66, width: 128 }\n'));
    expect([e.line, e.problem]).toEqual([5, 'nodes.alpha.pci.width: must be one of 32, 64']);
    e = errorOf(base('    pci: { clock: "66MHz" }\n'));
    expect(e.problem).toBe('nodes.alpha.pci.clock: must be one of 33, 66');
    e = errorOf(base('    pci: { clock: 66, speed: 133 }\n'));
    expect([e.line, e.problem]).toEqual([5, "nodes.alpha.pci: unknown field 'speed'"]);
    e = errorOf(base('    pci: 66\n'));
    expect([e.line, e.col, e.problem]).toEqual([5, 10, 'nodes.alpha.pci: must be object']);
  });

  test('a guest node does not take it: v86\'s PCI bus is 33 MHz, 32 bits', () => {
    const text = `nodes:
  linux1:
    kind: guest
    nics: [{ model: bcm5701, link: c0 }]
    pci: { clock: 66, width: 64 }
links:
  c0: { type: cable }
`;
    const e = errorOf(text);
    expect(e.line).toBe(5);
    expect(e.problem).toBe("nodes.linux1.pci: a guest node has v86's PCI bus, which is 33 MHz and 32 bits, and does not take pci");
  });

  test('the assembled board runs the scenario\'s segment; an RTL8029 on it holds it at 33 MHz, traced', () => {
    const fast = assemble(parseScenario(base('    pci: { clock: 66, width: 64 }\n'), 'sc.yaml', '/tmp'));
    const seg = fast.nodes.find((n) => n.name === 'alpha')!.board.pci.segment;
    expect([seg.clockMhz, seg.slotWidth]).toEqual([66, 64]);
    fast.close();
    const recs: TraceRecord[] = [];
    const mixed = assemble(
      parseScenario(base('    pci: { clock: 66, width: 64 }\n', '[{ model: bcm5701, link: c0 }, { model: rtl8029, link: c0 }]'), 'sc.yaml', '/tmp'),
      { onTrace: (r) => recs.push(r) },
    );
    expect(mixed.nodes.find((n) => n.name === 'alpha')!.board.pci.segment.clockMhz).toBe(33);
    expect(recs.filter((r) => r.probe === 'segment-fallback').map((r) => [r.node, r.f])).toEqual([
      ['alpha', { dev: '00:03.0', id: '10ec:8029', configured: 66, clock: 33, reason: 'not-66mhz-capable' }],
    ]);
    mixed.close();
  });
});
