/**
 * `qnxemu console` into a node whose kernel crashes (docs/faults.md): no thread runs there again, so a line typed
 * after the crash is not left waiting for ever — it gets one line ("beta has crashed at 3.000 s; nothing runs
 * there") and the session goes on; at the end of the input the run ends as usual. The console applies the scenario's
 * faults (not its actions: the person types the commands); after a power-cycle a waiting line runs on the new boot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCli } from '../system/interrupt-helpers';
import { pair } from './node-helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-console-crash-'));

function scenarioFile(fault = '{ at: 3s, node: beta, kind: crash }'): string {
  const file = path.join(dir, `f${fs.readdirSync(dir).length}.yaml`);
  fs.writeFileSync(file, `${pair('hub', '8s')}faults:\n  - ${fault}\n`);
  return file;
}

describe('qnxemu console on a crashed node', () => {
  test('a line typed after the crash gets one line and the session ends with the input', async () => {
    // `sleep 5` is running when the kernel crashes at 3 s; the next two lines can never run.
    const cli = startCli(['console', scenarioFile(), 'beta', '--speed', '1000'], { input: 'echo before\nsleep 5\necho after\necho again\n', env: { NO_COLOR: '1' } });
    const { code } = await cli.exit;
    expect(cli.stderr()).toBe('');
    expect(code).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/^before$/m);
    // procnto's Shutdown message (the crash), then one line per line typed after it, nothing run.
    expect(out.indexOf('Shutdown[')).toBeGreaterThan(out.indexOf('# sleep 5'));
    const said = out.split('\n').filter((l) => l === 'beta has crashed at 3.000 s; nothing runs there');
    expect(said).toHaveLength(2);
    expect(out).not.toMatch(/^after$/m);
    expect(out).not.toContain('# echo after');
    // The run ended at the end of the input, soon after the crash (not at the scenario's 8 s, not never).
    const m = /^simulated (\d+\.\d+) s of virtual time \(seed 1\)$/m.exec(out);
    expect(Number(m![1])).toBeGreaterThanOrEqual(3);
    expect(Number(m![1])).toBeLessThan(4);
    expect(out).not.toContain('not typed');
  });

  test('a power-cycle: the line typed while the node is off waits and runs on the new boot\'s console shell', async () => {
    const file = scenarioFile('{ at: 3s, node: beta, kind: power-cycle, off: 1s }');
    const cli = startCli(['console', file, 'beta', '--speed', '1000'], { input: 'sleep 5\necho back\n', env: { NO_COLOR: '1' } });
    const { code } = await cli.exit;
    expect(code).toBe(0);
    const out = cli.stdout();
    expect(out).not.toContain('nothing runs there');
    // The boot script ran twice (its banner), then the waiting line ran on the second boot.
    expect(out.split('\n').filter((l) => l === 'beta: boot script done')).toHaveLength(2);
    expect(out.indexOf('\nback\n')).toBeGreaterThan(out.lastIndexOf('beta: boot script done'));
    const m = /^simulated (\d+\.\d+) s of virtual time \(seed 1\)$/m.exec(out);
    expect(Number(m![1])).toBeGreaterThan(4);
  });
});
