/**
 * Every message pfctl gives for a bad pf.conf, located as yyerror locates it (file:line of the last token read),
 * and that a bad file produces no rules to load. The recovery quirks of yacc are kept: a failed macro drops the
 * rest of its line and, as `grammar error '\n'` then waits for a newline, the next line too; "syntax error" is
 * not repeated until three tokens have been shifted after a recovery.
 */
import { errors, parse } from './helpers';

describe('located messages', () => {
  test.each([
    ['pass in all\nblock in on en0 proto udp from $nope to any\n', ["/etc/pf.conf:2: macro 'nope' not defined", '/etc/pf.conf:2: syntax error']],
    ['pass in all\n\npass in bogus all\n', ['/etc/pf.conf:3: syntax error']],
    ['block in proto icmp from any to any port 5\n', ['/etc/pf.conf:1: port only applies to tcp/udp', '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['pass all\nset timeout interval 5\n', ['/etc/pf.conf:2: Rules must be in order: options, normalization, queueing, translation, filtering']],
    ['pass all\nnat on en0 from any to any -> 10.0.0.1\n', ['/etc/pf.conf:2: Rules must be in order: options, normalization, queueing, translation, filtering']],
    ['pass all\nscrub in all\n', ['/etc/pf.conf:2: Rules must be in order: options, normalization, queueing, translation, filtering']],
    ['scrub in all no-df\n', ["/etc/pf.conf:1: scrub option 'no-df' is not supported by this lsm-pf"]],
    ['scrub in quick all\n', ["/etc/pf.conf:1: scrub rules do not support 'quick'"]],
    ['altq on en0 cbq bandwidth 10Mb queue { a }\n', ['/etc/pf.conf:1: queueing (altq: io-pkt has no ALTQ) is not supported by this lsm-pf']],
    ['pass in on en7 all\n', ['/etc/pf.conf:1: unknown interface en7']],
    ['pass in proto foo all\n', ['/etc/pf.conf:1: unknown protocol foo']],
    ['pass in proto tcp to any port bogus\n', ['/etc/pf.conf:1: unknown port bogus']],
    ['pass in proto tcp to any port 70000\n', ['/etc/pf.conf:1: illegal port value 70000']],
    ['pass in from example.com to any\n', ['no IP address found for example.com', '/etc/pf.conf:1: could not parse host specification']],
    ['pass in proto udp all flags S/SA\n', ['/etc/pf.conf:1: flags only apply to tcp']],
    ['block in proto udp all keep state\n', ["/etc/pf.conf:1: keep state on block rules doesn't make sense", '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['block return-rst in proto udp all\n', ['/etc/pf.conf:1: return-rst can only be applied to TCP rules', '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['pass proto icmp all icmp-type echoreq\n', ['/etc/pf.conf:1: must indicate address family with icmp-type/code', '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['pass inet proto icmp all icmp-type nosuch\n', ['/etc/pf.conf:1: unknown icmp-type nosuch']],
    ['nat on en0 from 10.0.0.0/24 to any\n', ["/etc/pf.conf:1: translation rule requires '-> address'"]],
    ['no nat on en0 from 10.0.0.0/24 to any -> 10.0.0.1\n', ["/etc/pf.conf:1: translation rule with 'no' does not need '->'"]],
    ['rdr on en0 proto tcp to any port > 80 -> 10.0.0.5\n', ['/etc/pf.conf:1: invalid port operator for rdr destination port', '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['rdr on en0 from any to any port 80 -> 10.0.0.5\n', ['/etc/pf.conf:1: dst port only applies to tcp/udp', '/etc/pf.conf:1: skipping rule due to errors', '/etc/pf.conf:1: rule expands to no valid combination']],
    ['set timeout bogus 5\n', ['/etc/pf.conf:1: unknown timeout bogus']],
    ['set loginterface en9\n', ["/etc/pf.conf:1: interface en9 doesn't exist"]],
    ['set optimization fast\n', ['pfctl: Bad hint name.', '/etc/pf.conf:1: unknown optimization fast']],
    ['antispoof for en9\n', ['/etc/pf.conf:1: unknown interface en9']],
    ['set skip on lo0\n', ["/etc/pf.conf:1: 'set skip' is not supported by this lsm-pf"]],
    ['pass in all label "a" label "b"\n', ['/etc/pf.conf:1: label cannot be redefined']],
    ['table <t> { (en0) }\n', ['/etc/pf.conf:1: dynamic addresses are not permitted inside tables']],
    ['pass in all \\ \nblock all\n', ['/etc/pf.conf:1: whitespace after \\', '/etc/pf.conf:1: syntax error']],
  ])('%j', (text, want) => {
    expect(errors(text)).toEqual(want);
    expect(parse(text).errors).toBe(true);
  });

  test('a continued rule is reported at the line of the token that failed', () => {
    expect(errors('pass in \\\n  on en0 \\\n  proto nope all\n')).toEqual(['/etc/pf.conf:3: unknown protocol nope']);
  });

  test('the line after a failed macro is swallowed by the recovery, as yacc does', () => {
    expect(errors('pass in on $x all\npass in on en9 all\npass in on en8 all\n')).toEqual([
      "/etc/pf.conf:1: macro 'x' not defined",
      '/etc/pf.conf:1: syntax error',
      '/etc/pf.conf:3: unknown interface en8',
    ]);
  });

  test('an unknown table option fails silently (YYERROR with no message), the file still counts as bad', () => {
    const c = parse('table <t> bogus\n');
    expect(c.out).toEqual([]);
    expect(c.errors).toBe(true);
  });

  test('every error of a file is reported, and its good rules are still not loadable', () => {
    const c = parse('pass in on en0 all\nblock in proto nope all\npass out all\n');
    expect(c.errors).toBe(true);
    expect(c.rules).toHaveLength(2);
  });
});

describe('hostile files', () => {
  // A seeded soup of pf.conf words and punctuation: whatever the order, the parser answers with located messages
  // (or a clean parse), never an exception.
  const VOCAB = ['pass', 'block', 'in', 'out', 'on', 'en0', '!', '{', '}', ',', '(', ')', '<', '>', '<>', '><', '->', '=', '/', 'from', 'to', 'port',
    'any', 'all', 'proto', 'tcp', 'icmp', '10.0.0.1', '24', 'keep', 'state', 'flags', 'S/SA', 'nat', 'rdr', 'no', 'table', '<t>', 'set',
    'timeout', 'label', '"x"', '$m', 'm', '\\\n', '\n', '#', 'icmp-type', 'code', 'scrub', 'antispoof', 'for', '99999999999', ':', '-'];
  test('2000 random lines parse or fail with file:line messages', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) % VOCAB.length;
    for (let i = 0; i < 2000; i++) {
      const words = Array.from({ length: 1 + (i % 14) }, () => VOCAB[next()]!);
      const c = parse(`m = "en0"\n${words.join(' ')}\n`);
      for (const l of c.out.filter((x) => x.err)) expect(l.text).toMatch(/^(\/etc\/pf\.conf:\d+: |no IP address found for |invalid netmask |pfctl: )/);
    }
  });
});
