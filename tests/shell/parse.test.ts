import { parseLine, ShellSyntaxError } from '../../stack/shell/parse';
import { expandFields } from '../../stack/shell/expand';

const vars: Record<string, string> = { A: 'one two', E: '', HOST: 'alpha', '?': '3' };
const lookup = (n: string): string => vars[n] ?? '';

/** argv of each command of a line, expanded. */
function argvs(src: string): string[][] {
  return parseLine(src).flatMap((l) => [l.first, ...l.rest.map((r) => r.cmd)].map((c) => c.words.flatMap((w) => expandFields(w, lookup))));
}

describe('shell parsing', () => {
  test('words, quotes, escapes and expansion with field splitting', () => {
    expect(argvs(`echo 'a  b' "c  d" e\\ f`)).toEqual([['echo', 'a  b', 'c  d', 'e f']]);
    expect(argvs('echo $A "$A" ${HOST}x "$HOST-$?" $E "" \'\'')).toEqual([['echo', 'one', 'two', 'one two', 'alphax', 'alpha-3', '', '']]);
    expect(argvs('echo pre$A')).toEqual([['echo', 'preone', 'two']]);
    expect(argvs('echo "a\\"b" \'$A\' $ 5$')).toEqual([['echo', 'a"b', '$A', '$', '5$']]);
    expect(argvs('   # only a comment')).toEqual([]);
    expect(argvs('echo a # trailing comment')).toEqual([['echo', 'a']]);
    expect(argvs('echo a#b')).toEqual([['echo', 'a#b']]);
  });

  test('lists: ; & && || and their source text', () => {
    const l = parseLine('a 1 && b || c ; d & e');
    expect(l.map((x) => [x.text, x.background, x.rest.map((r) => r.op)])).toEqual([
      ['a 1 && b || c', false, ['&&', '||']],
      ['d', true, []],
      ['e', false, []],
    ]);
  });

  test('assignments, redirections and buildfile command attributes', () => {
    const [l] = parseLine('[+session pri=10r] FOO=bar X=1 cmd arg >/dev/null 2>&1');
    expect(l!.first.attrs).toBe('+session pri=10r');
    expect(l!.first.assigns.map((a) => a.name)).toEqual(['FOO', 'X']);
    expect(l!.first.words.length).toBe(2);
    expect(l!.first.redirects.map((r) => [r.fd, r.op])).toEqual([[1, '>'], [2, '>&']]);
    const [m] = parseLine('echo a=b');
    expect(m!.first.assigns).toEqual([]);
  });

  test('syntax errors carry a column', () => {
    const err = (src: string): [string, number] => {
      try {
        parseLine(src);
      } catch (e) {
        if (e instanceof ShellSyntaxError) return [e.message, e.col];
      }
      return ['none', 0];
    };
    expect(err("echo 'abc")).toEqual(['unterminated single quote', 6]);
    expect(err('echo "abc')).toEqual(['unterminated double quote', 6]);
    expect(err('&& b')).toEqual(["'&&' unexpected", 1]);
    expect(err('a && ')).toEqual(["missing command after '&&'", 3]);
    expect(err('a | b')).toEqual(['pipes are not supported', 3]);
    expect(err('echo >')).toEqual(["missing target after '>'", 6]);
    expect(err('echo ${A')).toEqual(["unterminated '${'", 6]);
  });
});
