/**
 * `qnxemu console <scenario> <qnx-node>` with piped input (issue 14, "Interruptions"): lines are queued until
 * the node has booted (its boot script ended), then typed one by one into ONE shell on the node's console
 * (`# ` prompt, the line echoed, cd and variables kept); the end of the input ends the run only when no
 * `--until` is given; Ctrl-C leaves with the console's output flushed, the summary printed, status 130.
 */
import { startCli } from './interrupt-helpers';

const SCENARIO = 'docs/examples/default/default.yaml';

/** Lines of stdout from the first console prompt on (the session itself). */
function session(out: string): string[] {
  return out.slice(out.indexOf('# ')).split('\n');
}

describe('qnxemu console on a QNX node, piped input', () => {
  test('lines wait for the boot script, then run one by one in one shell; EOF ends the run', async () => {
    const cli = startCli(['console', SCENARIO, 'alpha', '--speed', '1000'], { input: 'cd /proc/boot\necho pwd=$PWD\nX=1; false\necho x=$X status=$?\n', env: { NO_COLOR: '1' } });
    const { code } = await cli.exit;
    expect(cli.stderr()).toBe('');
    expect(code).toBe(0);
    const out = cli.stdout();
    // The boot script (ping, then nicinfo) has finished before the first line is typed.
    expect(out.indexOf('# cd /proc/boot')).toBeGreaterThan(out.indexOf('Short packets'));
    expect(session(out).slice(0, 7)).toEqual(['# cd /proc/boot', '# echo pwd=$PWD', 'pwd=/proc/boot', '# X=1; false', '# echo x=$X status=$?', 'x=1 status=1', '# ']);
    // Without --until the run ends once the last line has run: well before the scenario's 8 s.
    const m = /^simulated (\d+\.\d+) s of virtual time \(seed 1\)$/m.exec(out);
    expect(Number(m![1])).toBeLessThan(8);
    expect(out).toMatch(/^trace-hash [0-9a-f]{64}\n$/m);
  });

  test('with --until, the end of the input does not end the run early', async () => {
    const cli = startCli(['console', SCENARIO, 'alpha', '--speed', '1000', '--until', '6s'], { input: 'echo typed\n', env: { NO_COLOR: '1' } });
    const { code } = await cli.exit;
    expect(code).toBe(0);
    expect(session(cli.stdout()).slice(0, 3)).toEqual(['# echo typed', 'typed', '# ']);
    expect(cli.stdout()).toMatch(/^simulated 6\.000000 s of virtual time \(seed 1\)$/m);
  });

  test('Ctrl-C (SIGINT) leaves with the output flushed, the summary printed and status 130', async () => {
    // stdin stays open: only the signal can end this run.
    const cli = startCli(['console', SCENARIO, 'alpha', '--speed', '1000'], { env: { NO_COLOR: '1' } });
    cli.child.stdin!.write('echo first\n');
    await cli.waitFor(/^first\n# /m);
    cli.child.kill('SIGINT');
    const { code } = await cli.exit;
    expect(code).toBe(130);
    const out = cli.stdout();
    expect(session(out).slice(0, 3)).toEqual(['# echo first', 'first', '# ']);
    expect(out).toMatch(/^simulated (\d+\.\d{6}) s of virtual time \(seed 1\), interrupted at \1 s \(SIGINT\)$/m);
    expect(out).toMatch(/^trace-hash [0-9a-f]{64}\n$/m);
  });

  test.each(['Infinity', '0', '-1', 'fast'])('--speed %s is refused with one line (a positive finite number)', async (v) => {
    const cli = startCli(['console', SCENARIO, 'alpha', '--speed', v], { env: { NO_COLOR: '1' } });
    const { code } = await cli.exit;
    expect(code).not.toBe(0);
    expect(cli.stdout()).toBe('');
    expect(cli.stderr().trimEnd().split('\n')).toEqual([expect.stringContaining(`'${v}' is invalid`)]);
    expect(cli.stderr()).toContain('a positive number (virtual seconds per wall second)');
  });
});
