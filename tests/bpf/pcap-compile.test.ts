/**
 * pcap_compile against libpcap: for each expression of the fixture, the program printed as `tcpdump -d`
 * prints it equals what tcpdump 4.99.3 / libpcap 1.10.3 printed with `-O` (no optimiser) for the same link
 * type and snapshot length, instruction by instruction; expressions libpcap refuses are refused with its text.
 */
import fixture from './fixtures/libpcap-unoptimised.json';
import { DLT_EN10MB } from '../../stack/include/net/bpf';
import { bpfValidate } from '../../stack/net/bpf-filter';
import { pcapCompile, PcapCompileError } from '../../stack/lib/pcap/compile';
import { bpfDump } from '../../stack/lib/pcap/dump';

const DLT: Record<string, number> = { EN10MB: DLT_EN10MB, PFLOG: 117 };

describe('pcap_compile matches libpcap unoptimised code', () => {
  for (const c of fixture.cases) {
    it(`${c.dlt}: '${c.expr}'`, () => {
      const run = () => pcapCompile(c.expr, { dlt: DLT[c.dlt]!, snaplen: 65535 });
      if (c.rc !== 0) {
        expect(run).toThrow(PcapCompileError);
        expect(c.err).toContain((() => { try { run(); } catch (e) { return (e as Error).message; } return ''; })());
        return;
      }
      const prog = run();
      // The fixture comes from Linux, where AF_INET6 is 10; the pfloghdr af of a QNX pflog0 carries QNX's 24.
      const want = c.dlt === 'PFLOG' ? c.d.replace(/jeq      #0xa {13}/g, 'jeq      #0x18            ') : c.d;
      expect(bpfDump(prog, 1)).toBe(want);
      expect(bpfValidate(prog)).toBeNull();
    });
  }
});
