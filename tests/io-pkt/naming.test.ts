import { fakeDriver } from './fake-net';
import { makeNode, newSim, type TestNode } from './rig';

function boot(lines: string[], opts: Parameters<typeof makeNode>[2] = {}): TestNode {
  const sim = newSim(9);
  const node = makeNode(sim, 'alpha', opts);
  node.run(lines);
  sim.queue.runUntil(3_000_000_000);
  expect(node.k.crashes).toEqual([]);
  return node;
}

describe('interface naming (dev_attach)', () => {
  test('driver base name + lowest unused unit', () => {
    const n = boot(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig -l'], { nics: 2 });
    expect(n.console()).toBe('lo0 en0 en1\n');
  });

  test('unit= / lan= pick the unit; gaps are reused', () => {
    const n = boot(['io-pkt-v4 -d fake unit=0,count=1 -d fake lan=2,count=1 -d fake count=1', 'waitfor /dev/socket', 'ifconfig -l'], { nics: 3 });
    expect(n.console()).toBe('lo0 en0 en2 en1\n');
  });

  test('a unit already taken: EALREADY', () => {
    const n = boot(['io-pkt-v4 -v -d fake unit=1,count=1 -d fake unit=1,count=1', 'waitfor /dev/socket', 'ifconfig -l'], { nics: 2 });
    expect(n.console()).toBe('Unable to init devnp-fake.so: Operation already in progress\nlo0 en1\n');
  });

  test('name= replaces the base name; enmap maps en0 to the first Ethernet interface', () => {
    const n = boot(['io-pkt-v4 -d fake name=wm', 'waitfor /dev/socket', 'ifconfig en0 10.1.1.1/24', 'ifconfig wm0'], { nics: 1 });
    expect(n.console()).toBe(
      'wm0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\taddress: 00:50:c2:00:00:01\n' +
      '\tmedia: Ethernet 10baseT half-duplex\n\tstatus: active\n\tinet 10.1.1.1 netmask 0xffffff00 broadcast 10.1.1.255\n',
    );
  });

  test('enmap=0 turns the mapping off', () => {
    const n = boot(['io-pkt-v4 -d fake name=wm -ptcpip enmap=0', 'waitfor /dev/socket', 'ifconfig en0 10.1.1.1/24'], { nics: 1 });
    expect(n.console()).toBe('ifconfig: SIOCGIFFLAGS en0: No such device or address\n');
  });

  test('ifconfig destroy detaches the driver; lo0 cannot be destroyed (EPERM)', () => {
    const n = boot(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 destroy', 'ifconfig -l', 'ifconfig lo0 destroy'], { nics: 1 });
    expect(n.console()).toBe('lo0\nifconfig: SIOCIFDESTROY: Operation not permitted\n');
  });

  test('a driver without detach cannot be destroyed', () => {
    const sim = newSim(9);
    const holder: { nics: TestNode['nics'] } = { nics: [] };
    const n = makeNode(sim, 'alpha', { nics: 1, extraModules: { 'devnp-stuck.so': fakeDriver(() => holder.nics, { noDetach: true }) } });
    holder.nics = n.nics;
    n.run(['io-pkt-v4 -dstuck', 'waitfor /dev/socket', 'ifconfig en0 destroy', 'ifconfig -l']);
    sim.queue.runUntil(3_000_000_000);
    expect(n.console()).toBe('ifconfig: SIOCIFDESTROY: Operation not supported\nlo0 en0\n');
  });

  test('legacy drivers through the shim are always enN with /dev/io-net/enN; umount removes them', () => {
    const n = boot(['io-pkt-v4 -v -d oldfake name=xx', 'waitfor /dev/io-net/en0', 'ifconfig -l', 'umount /dev/io-net/en0', 'ifconfig -l', 'umount /dev/io-net/en0'], { nics: 1, withShim: true });
    expect(n.console()).toBe('lo0 en0\nlo0\numount: Can\'t unmount /dev/io-net/en0: No such file or directory\n');
    expect(n.k.paths.resolve('/dev/io-net/en0')).toBeNull();
  });

  test('umount of a native interface: ENOENT (only shim interfaces have /dev/io-net)', () => {
    const n = boot(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'umount /dev/io-net/en0', 'ifconfig -l'], { nics: 1 });
    expect(n.console()).toBe('umount: Can\'t unmount /dev/io-net/en0: No such file or directory\nlo0 en0\n');
  });
});
