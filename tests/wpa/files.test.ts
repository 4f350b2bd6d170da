/**
 * The files the WPA programs read their configuration from: a buildfile's inline files (served by procnto
 * with their contents) and /dev/shmem, where the shell's `>`/`>>` create files; the image is read-only.
 */
import type { ProgramMain } from '../../stack/kernel/api';
import { makeNode, newSim } from '../io-pkt/rig';

const SEC = 1_000_000_000;

const cat: ProgramMain = function* (ctx, argv) {
  for (const p of argv.slice(1)) {
    const d = ctx.fileRead ? yield* ctx.fileRead(p) : null;
    if (!d) {
      ctx.print(`cat: ${p}: No such file or directory\n`);
      return 1;
    }
    ctx.print(new TextDecoder().decode(d));
  }
  return 0;
};

describe('procnto files', () => {
  it('inline image files read back; echo > and >> create and append under /dev/shmem (and /tmp linked there)', () => {
    const sim = newSim(1);
    const n = makeNode(sim, 'a', { programs: { cat } });
    n.k.addBootFiles(['/etc/hostapd.conf', 'ping'], { '/etc/hostapd.conf': 'interface=ral0\nssid=x\n' });
    n.k.symlink('/tmp', '/dev/shmem');
    n.run([
      'cat /etc/hostapd.conf',
      'echo ctrl_interface=/var/run/wpa_supplicant > /dev/shmem/w.conf',
      'echo network={ >> /tmp/w.conf',
      'cat /dev/shmem/w.conf',
      'echo x > /etc/hostapd.conf',
      'echo $?',
      'cat /nope',
      'ls /dev/shmem',
    ]);
    sim.queue.runUntil(SEC);
    expect(n.console()).toBe(
      'interface=ral0\nssid=x\n' +
        'ctrl_interface=/var/run/wpa_supplicant\nnetwork={\n' +
        'sh: /etc/hostapd.conf: cannot create\n1\n' +
        'cat: /nope: No such file or directory\n' +
        'w.conf\n',
    );
  });
});
