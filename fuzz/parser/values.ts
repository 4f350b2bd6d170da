/**
 * Hostile replacement values for the parser fuzzers (fuzz/parser/*-ops.ts), as data. Each is source text as it
 * would appear in a file: a YAML scalar of another type (numbers at and past the edges of the integer ranges
 * the schema and the models use, NaN-like and infinite YAML 1.2 floats, strings, flow lists and maps, nulls),
 * unicode (combining marks, right-to-left override, astral characters), very long text, and, for buildfile
 * command lines, option values a QNX driver's option parser must refuse (docs/errors.md "Driver init
 * failures"). Nothing here names a device file that never ends (/dev/zero) or blocks (/dev/stdin): a run of
 * the fuzzer must stay bounded in memory and time.
 */

/** YAML scalars and small collections that replace one scalar of a scenario (any type). */
export const YAML_VALUES: readonly string[] = [
  // numbers: zero, negative, fractions, exponents, integer edges (2^31, 2^32, 2^53), hex/octal forms
  '0', '-1', '1', '3.5', '-0', '1e3', '1e309', '-1e309', '2147483648', '4294967295', '4294967296',
  '9007199254740993', '99999999999999999999999', '0x300', '0xffffffff', '0o777', '0b101', '+5', '.5',
  // YAML 1.2 floats that are not finite
  '.nan', '.NaN', '.inf', '-.inf', 'NaN', 'Infinity',
  // booleans and nulls (YAML 1.2 core schema, and YAML 1.1 spellings that are strings in 1.2)
  'true', 'false', 'yes', 'no', 'on', 'null', '~', '', 'Null',
  // strings
  'x', '"x"', "''", '""', '" leading space"', '"a\\nb"', '"tab\\there"', "'it''s'", 'hub0', 'alpha', 'ne2000-isa',
  '-1ms', '0s', '5 ms', '1.5s', '100000000000000000000s', '64G', '0M', '1K', 'ioapic', '/', '..', '/dev/null',
  'nosuch.build', '../default/alpha.build', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01',
  '10.0.0.300/24', '::1', '%', '@x', '`x`', '!x', '&', '*', '|', '>', '? x', '- x', '#',
  // impairments (emulator/app/scenario/impair-spec.ts): tc's rate units, its byte units, percentages at and past the edges
  '2Mbit', '2Mbps', '1KiBps', '0bit', '5%', '100%', '101%', '-1%', '1e-9%', 'gilbert-elliott', 'paretonormal',
  // unicode
  '"é"', 'ålpha', '名前', '"\\u202eevil"', '"\\U0001F600"', '"\\0"', '"\\x7f"', 'a\u0301', '\u00a0',
  // collections
  '[]', '{}', '[1, 2]', '{a: 1}', '[[[[[]]]]]', '{model: rtl8029, link: hub0}', '[hub0]', '{ type: hub }',
  // tags
  '!!str 5', '!!int "5"', '!!float 1', '!!binary aGVsbG8=', '!!set {a, b}', '!!omap [a: 1]', '!nosuch x',
  '!!timestamp 2001-12-14', '!!null ""',
];

/** Generated values (very long or deeply nested): a function of a draw, so the table stays small. */
export function generatedValue(k: number, n: number): string {
  switch (k % 5) {
    case 0: return 'a'.repeat(1000 + (n % 20000));
    case 1: return '9'.repeat(20 + (n % 400));
    case 2: return '['.repeat(1 + (n % 200)) + ']'.repeat(1 + (n % 200));
    case 3: return `"${'\\u00e9'.repeat(1 + (n % 500))}"`;
    default: return '-'.repeat(1 + (n % 50)) + '1';
  }
}

/** Near-miss key spellings are made by an edit, these are whole replacements (fields of other sections). */
export const KEY_NAMES: readonly string[] = [
  'model', 'link', 'mac', 'nics', 'links', 'nodes', 'type', 'script', 'buildfile', 'until', 'seed', 'name',
  'kind', 'ram', 'cpus', 'irq', 'ioport', 'slot', 'at', 'node', 'expect', 'actions', 'faults', '<<', '"a b"', '0',
  'impair', 'delay', 'jitter', 'loss', 'reorder', 'clear',
  // keys that are not strings: a collection as a key (`[a, b]: 1`, `? {a: 1}`), a null key, a number
  '[a, b]', '{a: 1}', '? [nodes]\n:', '~', '1.5', '"se\rd"',
];

/** Values of driver and io-pkt options in a buildfile's script (ioport=…, irq=…, -d…, -p…). */
export const OPTION_VALUES: readonly string[] = [
  '', 'zz', '0x', '-1', '0', '2', '1', '16', '255', '256', '0x0', '0x3ff', '0x400', '0xffffffff', '0x1ffffffff',
  '99999999999999999999', '1e3', '0300', '0x300,irq', ',', '=', '==', 'ioport', 'irq=', '"5"', 'é', '%n%n', '..',
];

/** Command-line words to insert into a buildfile script line. */
export const SCRIPT_WORDS: readonly string[] = [
  '-v', '-vvvv', '-d', '-dfoo', '-dne2000', '-ptcpip', '-p', '-pfoo', '-i', '-i9', '-S', '--', '-', 'bogus=1',
  'ioport=zz', 'irq=2', 'irq=99', 'ioport=0x40', 'mtu=0', 'mtu=999999', 'speed=zz', 'duplex=2', 'mac=zz',
  'mac=01:00:5e:00:00:01', 'lan=99', 'pci=0x10ec', 'vid=zz', 'did=', 'verbose', 'promiscuous', '&', '|', ';',
  '>', '<', '"', "'", '$', '${X}', '`', '*', '?', '\\', 'en0', 'en99', 'lo0', '10.0.0.1/33', '256.0.0.1', 'up',
];

/** Buildfile attributes (inside [ ]), valid and not. */
export const BUILD_ATTRIBUTES: readonly string[] = [
  '+script', '-script', '+compress', 'virtual=x86,bios', 'physical=x86', 'virtual=', 'type=link', 'type=dir',
  'type=file', 'prefix=', 'prefix=/', 'prefix=usr/bin', 'perms=0755', 'uid=-1', 'gid=zz', '?+optional', '+', '-',
  '=', '=x', '?', '"q"', 'a="b c"', 'x="unterminated', '+bad name', '+a=b', 'search=${PATH}', '-followlink',
];
