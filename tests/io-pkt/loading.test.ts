import { Errno, type Co, type ThreadCtx } from '../../stack/kernel/api';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import { makeNode, newSim, type TestNode } from './rig';

function boot(lines: string[], opts: Parameters<typeof makeNode>[2] = {}): { node: TestNode; run: (ns?: number) => void } {
  const sim = newSim(5);
  const node = makeNode(sim, 'alpha', opts);
  node.run(lines);
  return { node, run: (ns = 2_000_000_000) => sim.queue.runUntil(sim.queue.now + ns) };
}

describe('io-pkt module loading', () => {
  test('a missing driver: devnp- then devn-, the real message with -v on the console', () => {
    const { node, run } = boot(['io-pkt-v4 -v -dnothere', 'waitfor /dev/socket']);
    run();
    expect(node.console()).toContain('Unable to load devn-nothere.so: Library cannot be found\n');
  });

  test('without -v the error reaches the console too (_SLOG_ERROR, issue 14) and the log', () => {
    const { node, run } = boot(['io-pkt-v4 -dnothere', 'waitfor /dev/socket']);
    run();
    expect(node.console()).toBe('Unable to load devn-nothere.so: Library cannot be found\n');
    expect(node.iopkt().slog).toContain('Unable to load devn-nothere.so: Library cannot be found');
  });

  test('protocol modules: lsm-<name>.so; tcpip loads nothing', () => {
    const { node, run } = boot(['io-pkt-v4 -v -ptcpip prefix=/alt -p qnet', 'waitfor /alt/dev/socket']);
    run();
    expect(node.console()).toBe('Unable to load lsm-qnet.so: Library cannot be found\n');
    expect(node.k.paths.resolve('/alt/dev/socket/2')?.rest).toBe('');
    expect(node.k.paths.resolve('/dev/socket/2')).toBeNull();
  });

  test('a legacy io-net driver goes through devnp-shim.so; without it, that is what fails', () => {
    const { node, run } = boot(['io-pkt-v4 -v -doldfake', 'waitfor /dev/socket']);
    run();
    expect(node.console()).toBe('Unable to load devnp-shim.so: Library cannot be found\n');
  });

  test('init failures: "Unable to init", with strerror', () => {
    const { node, run } = boot(['io-pkt-v4 -v -dfake -dfake', 'waitfor /dev/socket']);
    run();
    // The second instance finds no NIC left.
    expect(node.console()).toBe('Unable to init devnp-fake.so: No such device\n');
  });

  test('variant mismatch', () => {
    const uni: NativeDriverModule = { kind: 'iopkt_drvr_entry', version: 1, type: 'uni', *drvrInit(): Co<number> { return 0; } };
    const { node, run } = boot(['io-pkt-v4 -v -duni'], { extraModules: { 'devnp-uni.so': uni } });
    run();
    expect(node.console()).toBe('Driver variant mismatch.\n');
  });

  test('a full path is used as given', () => {
    const { node, run } = boot(['io-pkt-v4 -v -d /lib/dll/devnp-fake.so', 'waitfor /dev/socket', 'ifconfig -l']);
    run();
    expect(node.console()).toBe('lo0 en0\n');
  });

  test('io-pkt daemonizes before its paths exist: the shell goes on at once (hence waitfor)', () => {
    const probe = function* (ctx: ThreadCtx): Co<number> {
      ctx.print(ctx.pathResolve('/dev/socket/2') ? 'socket ready\n' : 'no socket yet\n');
      return 0;
    };
    const { node, run } = boot(['io-pkt-v4 -dfake', 'probe', 'waitfor /dev/socket', 'probe'], { programs: { probe } });
    run();
    expect(node.console()).toBe('no socket yet\nsocket ready\n');
  });

  test('mount -T io-pkt loads a module later; a wrong type is ENOENT; -o passes options', () => {
    const { node, run } = boot(['io-pkt-v4', 'waitfor /dev/socket', 'ifconfig -l', 'mount -T io-pkt -o name=wm devnp-fake.so', 'ifconfig -l',
      'mount -T io-pkt1 devnp-fake.so', 'mount -Tio-pkt devnp-fake.so'], { nics: 1 });
    run();
    expect(node.console()).toBe(
      'lo0\nlo0 wm0\n' +
      'mount: Can\'t mount / (type io-pkt1)\nmount: Possible reason: No such file or directory\n' +
      // io-pkt's own error (log at _SLOG_ERROR) is on the console too, before mount reports the errno.
      'Unable to init devnp-fake.so: No such device\n' +
      'mount: Can\'t mount / (type io-pkt)\nmount: Possible reason: No such device\n',
    );
  });

  test('-i1 answers io-pkt1 / io-net1 mounts', () => {
    const { node, run } = boot(['io-pkt-v4 -i1', 'waitfor /dev/socket', 'mount -T io-net1 devnp-fake.so', 'ifconfig -l']);
    run();
    expect(node.console()).toBe('lo0 en0\n');
  });

  test('SIGTERM: io-pkt exits and its paths go', () => {
    const { node, run } = boot(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'slay io-pkt-v4', 'sleep 1', 'ifconfig -l']);
    run(3_000_000_000);
    expect(node.k.paths.resolve('/dev/socket/2')).toBeNull();
    expect(node.console()).toContain('ifconfig: socket: Address family not supported by protocol family\n');
  });

  test('-t N creates N threads at start; otherwise one per interrupt source up to the CPUs', () => {
    const a = boot(['io-pkt-v4 -t 3 -dfake', 'waitfor /dev/socket'], { nics: 2, cpus: 2 });
    a.run();
    expect(a.node.iopkt().poolThreads).toBe(3);
    const b = boot(['io-pkt-v4 -dfake', 'waitfor /dev/socket'], { nics: 3, cpus: 2 });
    b.run();
    expect(b.node.iopkt().poolThreads).toBe(2);
    expect(Errno.ENODEV).toBe(19);
  });
});
