/**
 * Loader bugs found by the parser fuzzer (fuzz/parser/scenario.ts; their inputs are in fuzz/reproducers/), each
 * replayed here by hand: before the fixes each ended in a JavaScript stack trace, a second stderr line, or an
 * answer of more than one line.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { errorOf } from './helpers';
import { BuildfileError, parseBuildfile } from '../../firmware/buildfile';

const good = `name: t
seed: 1
nodes:
  alpha:
    nics:
      - { model: ne2000-isa, ioport: 0x300, irq: 5, link: hub0 }
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
links:
  hub0: { type: hub }
`;


describe('aliases (YAML 1.2 §3.2.2.2) that cannot be expanded are located errors at the alias', () => {
  test('an alias with no anchor before it (was: ReferenceError "Unresolved alias")', () => {
    const e = errorOf(good.replace('seed: 1', 'seed: *nosuch'));
    expect(e.message).toBe('sc.yaml:2:7: YAML: alias *nosuch has no anchor &nosuch before it');
  });

  test('an alias before its anchor is unresolved too: an alias refers back, never forward', () => {
    const e = errorOf(good.replace('seed: 1', 'seed: *s') + 'description: &s x\n');
    expect([e.line, e.col, e.problem]).toEqual([2, 7, 'YAML: alias *s has no anchor &s before it']);
  });

  test('a billion-laughs chain is refused at its first alias before it expands (was: ReferenceError)', () => {
    const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let d = 1; d <= 9; d++) lines.push(`l${d}: &l${d} [${Array<string>(10).fill(`*l${d - 1}`).join(', ')}]`);
    const e = errorOf(lines.join('\n') + '\n' + good);
    expect(e.line).toBe(2);
    expect(e.col).toBe(10);
    expect(e.problem).toMatch(/^YAML: Excessive alias count indicates a resource exhaustion attack \(aliases expand to too many nodes/);
  });

  test('aliases within the yaml package bound still work', () => {
    const s = parseScenario(good.replace('seed: 1', 'seed: &s 5').replace('name: t', 'name: t\ndescription: &d x'), 'sc.yaml', '/tmp');
    expect(s.seed).toBe(5);
  });
});

describe('answers stay one line', () => {
  test('a collection used as a key is an unknown field at that key, with no Node warning printed (was: a "(node) Warning" line, and 1:1)', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const e = errorOf(good.replace('seed: 1', '[seed]: 1'));
      expect(e.message).toBe("sc.yaml:2:1: (top level): unknown field '[ seed ]'");
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test('a key holding a carriage return is quoted escaped (was: an answer broken over two lines)', () => {
    const e = errorOf(good.replace('seed: 1', '"se\\red": 1'));
    expect(e.message).toBe("sc.yaml:2:11: (top level): unknown field 'se\\red'");
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  test('a buildfile path with a line break in it is quoted escaped', () => {
    const e = errorOf(good.replace('    script: |\n      io-pkt-v4 -dne2000 ioport=0x300,irq=5\n', '    buildfile: "no\\nsuch.build"\n'));
    expect(e.line).toBe(7);
    expect(e.problem).toMatch(/^cannot read buildfile \/tmp\/no\\nsuch\.build: /);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  test('a buildfile control character quoted in a problem is escaped (BuildfileError)', () => {
    let err: unknown;
    try {
      parseBuildfile('[+script] .script = { }\nping \u000c x\n', 'b.build');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BuildfileError);
    expect((err as BuildfileError).message).toBe("b.build:2:6: unexpected '\\u000c' after the file specification");
  });
});

test('a device named as a buildfile is refused before it is read (/dev/zero would be read until memory runs out)', () => {
  const e = errorOf(good.replace('    script: |\n      io-pkt-v4 -dne2000 ioport=0x300,irq=5\n', '    buildfile: /dev/null\n'));
  expect([e.line, e.problem]).toEqual([7, 'cannot read buildfile /dev/null: /dev/null is not a file']);
});
