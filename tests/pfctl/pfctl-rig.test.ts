/**
 * pfctl on a simulated QNX node against lsm-pf through /dev/pf, while traffic flows: beta (10.0.0.2) loads a
 * pf.conf that blocks ICMP and passes UDP to port 9000 with state; alpha pings it (all lost) and sends UDP
 * (all delivered). The counters pfctl prints are computed here from the traffic sent.
 */
import { lsmPf } from '../../stack/io-pkt/lsm-pf';
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';

const PF_CONF = `# beta's firewall
ext_if = "en0"
set loginterface $ext_if
set timeout udp.first 20
block in log quick on $ext_if inet proto icmp all
pass in on $ext_if inet proto udp from any to any port 9000 keep state
`;

function pair() {
  const sim = newSim(7);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const b = makeNode(sim, 'beta', { macBase: 2, extraModules: { 'lsm-pf-v4.so': lsmPf } });
  b.k.addBootFiles(['/etc/pf.conf', '/etc/bad.conf'], { '/etc/pf.conf': PF_CONF, '/etc/bad.conf': 'pass in all\nblock in proto icmp to any port 7\npass out all\n' });
  connect(a.nics[0]!, b.nics[0]!, 200_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  return { sim, a, b };
}

const SEC = 1_000_000_000;

describe('pfctl against lsm-pf', () => {
  test('no /dev/pf before lsm-pf is mounted; -e, -e again, -d', () => {
    const { sim, b } = pair();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'pfctl -s rules', 'echo status $?', 'pfctl -nf /etc/pf.conf', 'echo status $?', 'pfctl -Y', 'pfctl -F states',
      'mount -T io-pkt lsm-pf-v4.so', 'waitfor /dev/pf',
      'pfctl -e', 'pfctl -e', 'echo status $?', 'pfctl -d', 'pfctl -d', 'echo status $?']);
    sim.queue.runUntil(2 * SEC);
    // -n needs no /dev/pf; an unknown option or modifier is pfctl's usage
    expect(b.console()).toContain('pfctl: /dev/pf: No such file or directory\nstatus 1\nstatus 0\npfctl: illegal option -- Y\nusage: pfctl');
    expect(b.console()).toContain("pfctl: Unknown flush modifier 'states'\nusage: pfctl");
    expect(b.console()).toContain('pf enabled\npfctl: pf already enabled\nstatus 1\npf disabled\npfctl: pf not enabled\nstatus 1\n');
  });

  test('a bad file loads nothing: the located message, then "pf rules not loaded", exit 1', () => {
    const { sim, b } = pair();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'mount -T io-pkt lsm-pf-v4.so', 'waitfor /dev/pf', 'pfctl -f /etc/pf.conf',
      'pfctl -f /etc/bad.conf', 'echo status $?', 'pfctl -sr', 'pfctl -e -f /etc/bad.conf', 'pfctl -si', 'pfctl -f /etc/nosuch.conf -e', 'echo status $?']);
    sim.queue.runUntil(2 * SEC);
    expect(b.console()).toContain(
      '/etc/bad.conf:2: port only applies to tcp/udp\n/etc/bad.conf:2: skipping rule due to errors\n/etc/bad.conf:2: rule expands to no valid combination\n' +
      'pfctl: Syntax error in config file: pf rules not loaded\nstatus 1\n' +
      // the rules of the earlier load are still there
      'block drop in log quick on en0 inet proto icmp all\npass in on en0 inet proto udp from any to any port = 9000 keep state\n' +
      '/etc/bad.conf:2: port only applies to tcp/udp\n/etc/bad.conf:2: skipping rule due to errors\n/etc/bad.conf:2: rule expands to no valid combination\n' +
      'pfctl: Syntax error in config file: pf rules not loaded\n' +
      // a failed load exits before -e (pfctl_rules exits 1); a missing file only warns, and -e still runs
      'Status: Disabled',
    );
    expect(b.console()).toContain('pfctl: /etc/nosuch.conf: No such file or directory\npf enabled\nstatus 1\n');
  });

  test('ICMP blocked, UDP passed with state: -sr -v, -ss, -si counters from the traffic', () => {
    const { sim, a, b } = pair();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'mount -T io-pkt lsm-pf-v4.so', 'waitfor /dev/pf',
      'pfctl -f /etc/pf.conf -e', 'udpsink -p 9000 -c 5 &']);
    sim.queue.runUntil(1 * SEC);
    a.run(['ping -c 3 -i 0.2 10.0.0.2', 'udpgen -c 5 -i 0.1 -s 100 -p 9000 10.0.0.2']);
    sim.queue.runUntil(8 * SEC);
    b.out.length = 0;
    b.run(['pfctl -sr -v', 'pfctl -ss', 'pfctl -si']);
    sim.queue.runUntil(9 * SEC);
    expect(a.console()).toContain('3 packets transmitted, 0 packets received, 100.0% packet loss');
    const out = b.console();
    // Rule 0 is evaluated by every inbound packet that reaches the ruleset: 3 echo requests + the first
    // datagram (the other 4 match the state and skip the ruleset) = 4; it matched the 3 echo requests of
    // 20 + 8 + 56 = 84 bytes each = 252 bytes.
    // Rule 1 is reached only by the first datagram (ICMP stops at rule 0, quick): 1 evaluation; it counts every
    // packet of its state: 5 datagrams of 20 + 8 + 100 = 128 bytes = 640 bytes; 1 state.
    expect(out).toContain(
      'block drop in log quick on en0 inet proto icmp all\n' +
      '  [ Evaluations: 4         Packets: 3         Bytes: 252         States: 0     ]\n' +
      'pass in on en0 inet proto udp from any to any port = 9000 keep state\n' +
      '  [ Evaluations: 1         Packets: 5         Bytes: 640         States: 1     ]\n',
    );
    expect(out).toMatch(/self udp 10\.0\.0\.2:9000 <- 10\.0\.0\.1:\d+ {7}NO_TRAFFIC:SINGLE\n/);
    expect(out).toMatch(/^Status: Enabled for 0 days 00:00:0\d {10,}Debug: Urgent$/m);
    // loginterface en0: 3 + 5 packets in, 3 blocked; 252 + 640 bytes in
    expect(out).toContain(`  ${'Bytes In'.padEnd(25)} ${'892'.padStart(14)} ${'0'.padStart(16)}`);
    expect(out).toContain(`    ${'Passed'.padEnd(23)} ${'5'.padStart(14)} ${'0'.padStart(16)}`);
    expect(out).toContain(`    ${'Blocked'.padEnd(23)} ${'3'.padStart(14)} ${'0'.padStart(16)}`);
    expect(out).toContain(`  ${'current entries'.padEnd(25)} ${'1'.padStart(14)}`);
    expect(out).toContain(`  ${'inserts'.padEnd(25)} ${'1'.padStart(14)}`);
  });

  test('-st shows the loaded timeouts; -k, -F state (3.7 spells it so), -F rules, -s all', () => {
    const { sim, a, b } = pair();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'mount -T io-pkt lsm-pf-v4.so', 'waitfor /dev/pf',
      'pfctl -e -f /etc/pf.conf']);
    sim.queue.runUntil(1 * SEC);
    a.run(['udpgen -c 2 -i 0.1 -s 20 -p 9000 10.0.0.2']);
    sim.queue.runUntil(2 * SEC);
    b.out.length = 0;
    b.run(['pfctl -st', 'pfctl -k 10.0.0.9', 'pfctl -k 10.0.0.1 -k 10.0.0.2', 'pfctl -ss', 'pfctl -F state', 'pfctl -ss', 'pfctl -F rules', 'pfctl -sr', 'pfctl -s all', 'pfctl -s bogus', 'echo status $?']);
    sim.queue.runUntil(3 * SEC);
    const out = b.console();
    expect(out).toContain(`${'tcp.first'.padEnd(20)} ${'120'.padStart(10)}s\n`);
    expect(out).toContain(`${'udp.first'.padEnd(20)} ${'20'.padStart(10)}s\n`);
    expect(out).toContain(`${'interval'.padEnd(20)} ${'10'.padStart(10)}s\n`);
    // the UDP flow's state goes from alpha to beta: -k alpha -k beta kills it, nothing is left for -F state
    expect(out).toContain('killed 0 states from 1 sources and 0 destinations\nkilled 1 states from 1 sources and 1 destinations\n0 states cleared\nrules cleared\n');
    // -s all: the sections with content get their titles (no rules, no states left)
    expect(out).toContain('INFO:\nStatus: Enabled for 0 days 00:00:0');
    expect(out).toContain('\nTIMEOUTS:\ntcp.first');
    expect(out).not.toContain('FILTER RULES:');
    expect(out).toContain("pfctl: Unknown show modifier 'bogus'\nusage: pfctl");
    expect(out).toContain('status 1\n');
  });

  test('-t/-T on a table, -n -v parses without loading', () => {
    const { sim, b } = pair();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'mount -T io-pkt lsm-pf-v4.so', 'waitfor /dev/pf',
      'pfctl -t bad -T add 10.0.0.9 192.168.0.0/16', 'pfctl -t bad -T show', 'pfctl -t bad -T delete 10.0.0.9', 'pfctl -t bad -T show',
      'pfctl -sT', 'pfctl -t nosuch -T show', 'pfctl -nvf /etc/pf.conf', 'pfctl -sr', 'echo end']);
    sim.queue.runUntil(3 * SEC);
    expect(b.console()).toContain(
      '1 table created.\n2/2 addresses added.\n   10.0.0.9\n   192.168.0.0/16\n1/1 addresses deleted.\n   192.168.0.0/16\nbad\n' +
      'pfctl: Table does not exist.\n' +
      'set loginterface en0\nset timeout udp.first 20\nblock drop in log quick on en0 inet proto icmp all\npass in on en0 inet proto udp from any to any port = 9000 keep state\n' +
      'end\n',
    );
  });
});
