import { instanceNames, parseIoPktCommandLine } from '../../stack/io-pkt/cmdline';
import { moduleFileName } from '../../stack/io-pkt/loader';
import { moduleBaseName } from '../../stack/io-pkt/driver-host';

const p = (s: string) => parseIoPktCommandLine(['io-pkt-v4', ...s.split(' ').filter(Boolean)]);

describe('io-pkt command line', () => {
  test('-d with attached or separate name; the next non-option word is the option string', () => {
    expect(p('-dne2000').modules).toEqual([{ kind: 'd', name: 'ne2000', options: null }]);
    expect(p('-d ne2000 ioport=0x300,irq=5').modules).toEqual([{ kind: 'd', name: 'ne2000', options: 'ioport=0x300,irq=5' }]);
    expect(p('-dne2000 -ptcpip').modules).toEqual([{ kind: 'd', name: 'ne2000', options: null }]);
  });

  test('modules keep command-line order; tcpip is built in and only configured', () => {
    const cl = p('-p qnet do_crc=1 -ptcpip prefix=/alt,forward -d ne2000 -d /lib/dll/devnp-x.so lan=1');
    expect(cl.modules).toEqual([
      { kind: 'p', name: 'qnet', options: 'do_crc=1' },
      { kind: 'd', name: 'ne2000', options: null },
      { kind: 'd', name: '/lib/dll/devnp-x.so', options: 'lan=1' },
    ]);
    expect(cl.tcpip.prefix).toBe('/alt');
    expect(cl.tcpip.forward).toBe(true);
  });

  test('-P, -t, -i, -v, -S, -D', () => {
    const cl = p('-P 30 -t 2 -i1 -vv -SD');
    expect(cl.mainPrio).toBe(30);
    expect(cl.threads).toBe(2);
    expect(cl.instance).toBe(1);
    expect(cl.verbose).toBe(2);
    expect(cl.noSegvHandler && cl.dedicatedStack).toBe(true);
    expect(p('-t 500').threads).toBe(100);
    expect(p('-t 0').threads).toBe(1);
  });

  test('getopt diagnostics', () => {
    expect(p('-x').diagnostics).toEqual(['illegal option -- x']);
    expect(p('-d').diagnostics).toEqual(['option requires an argument -- d']);
    expect(p('-P 999').diagnostics).toEqual(['ignoring invalid value 999 for option -P']);
    const bad = p('-i abc');
    expect(bad.fatal).toBe(true);
    expect(bad.diagnostics).toEqual(['Invalid instance number: abc']);
  });

  test('tcpip options read and reported', () => {
    const cl = p('-ptcpip enmap=0,rx_prio=30,mbuf_cache=64,bogus=1');
    expect(cl.tcpip.enmap).toBe(false);
    expect(cl.tcpip.rxPrio).toBe(30);
    expect(cl.tcpip.ignored).toEqual(['mbuf_cache=64']);
    expect(cl.tcpip.unknown).toEqual(['bogus=1']);
    expect(cl.tcpip.somaxconn).toBe(128);
    expect(p('-ptcpip somaxconn=4').tcpip.somaxconn).toBe(4);
  });

  test('module file names and mount types', () => {
    expect(moduleFileName('d', 'ne2000')).toBe('devnp-ne2000.so');
    expect(moduleFileName('p', 'qnet')).toBe('lsm-qnet.so');
    expect(moduleFileName('d', '/x/devn-foo.so')).toBe('/x/devn-foo.so');
    expect(moduleBaseName('/lib/dll/devn-ne2000.so')).toBe('ne2000');
    expect(instanceNames(0)).toEqual(['io-pkt', 'io-net', 'tcpip']);
    expect(instanceNames(2)).toEqual(['io-pkt2', 'io-net2', 'tcpip']);
  });
});
