/**
 * `qnxemu test` interrupted (issue 14, "Interruptions"): once the quick scenario has passed and the two long
 * ones are running in the two workers, SIGINT (SIGTERM) makes the runner kill its workers, write the JUnit
 * file with the unfinished scenarios — and the one never started — as `interrupted` errors, print the lines
 * and the summary, and exit 130 (143). The long scenarios' partial pcaps are whole up to their last frame.
 * With --in-process the running scenario stops between two events (runTimelineAsync), the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from './helpers';
import { alive, checkPcap, checkTrace, childPids, filesExist, startCli } from './interrupt-helpers';
import { findAll, parseXml, type XmlElement } from '../testing/xml';

const SUITE = 'tests/system/fixtures/interrupt/suite';

async function interruptSuite(sig: 'SIGINT' | 'SIGTERM') {
  const dir = tmpdir(`int-test-${sig}`);
  const junit = path.join(dir, 'junit.xml');
  const art = path.join(dir, 'art');
  const cli = startCli(['test', SUITE, '--jobs', '2', '--artifacts', art, '--junit', junit, '--no-progress']);
  // a-quick passes first; by then the second worker runs b-long and the first has been given c-long. Both long
  // ones have opened their outputs before the signal (a loaded machine may not have started c-long yet).
  await cli.waitFor(/^PASS  \S+a-quick\.yaml/m);
  await filesExist(['b-long', 'c-long'].map((n) => path.join(art, n, 'hub0.pcap')));
  const workers = childPids(cli.child.pid!);
  expect(workers.length).toBe(2);
  cli.child.kill(sig);
  const { code } = await cli.exit;
  const doc = parseXml(fs.readFileSync(junit, 'utf8'));
  const cases = findAll(doc, 'testcase');
  return { code, out: cli.stdout(), err: cli.stderr(), workers, cases, art, doc };
}

describe('qnxemu test, interrupted', () => {
  test('SIGINT: workers gone, JUnit lists the unfinished scenarios as errors, summary printed, exit 130', async () => {
    const r = await interruptSuite('SIGINT');
    expect(r.code).toBe(130);
    // No worker outlives the runner.
    for (const pid of r.workers) expect(alive(pid)).toBe(false);
    expect(r.out).toMatch(/^ERROR \S+b-long\.yaml/m);
    expect(r.out).toMatch(/^ERROR \S+c-long\.yaml/m);
    expect(r.out).toContain('1 scenario not started: interrupted (SIGINT) before it finished');
    expect(r.out).toMatch(/^4 scenarios: 1 passed, 0 failed, 3 errors in \d+\.\d s \(2 workers\), interrupted \(SIGINT\)$/m);
    expect(r.doc.attrs.errors).toBe('3');
    const errorOf = (name: string): XmlElement | undefined => findAll(r.cases.find((c) => c.attrs.name === name)!, 'error')[0];
    expect(errorOf('a-quick')).toBeUndefined();
    for (const n of ['b-long', 'c-long', 'd-quick']) {
      const e = errorOf(n)!;
      expect(e.attrs.type).toBe('interrupted');
      expect(e.attrs.message).toBe('interrupted (SIGINT) before it finished');
    }
    expect(errorOf('d-quick')!.text).toContain('it had not started');
    // The long scenarios' partial outputs are whole: the pcap up to its last frame (said so in the error),
    // the trace up to its last line.
    for (const n of ['b-long', 'c-long']) {
      const pcap = path.join(r.art, n, 'hub0.pcap');
      const frames = checkPcap(pcap);
      expect(errorOf(n)!.text).toContain(`partial pcap kept, valid up to its last whole frame: ${pcap} (${frames} frames)`);
      checkTrace(path.join(r.art, n, 'trace.jsonl'));
    }
    // The finished scenario's artifacts are complete.
    expect(fs.existsSync(path.join(r.art, 'a-quick', 'result.json'))).toBe(true);
    checkPcap(path.join(r.art, 'a-quick', 'hub0.pcap'));
  });

  test('SIGTERM: the same, exit 143', async () => {
    const r = await interruptSuite('SIGTERM');
    expect(r.code).toBe(143);
    for (const pid of r.workers) expect(alive(pid)).toBe(false);
    expect(r.out).toMatch(/interrupted \(SIGTERM\)$/m);
    const interrupted = r.cases.filter((c) => findAll(c, 'error')[0]?.attrs.type === 'interrupted').map((c) => c.attrs.name);
    expect(interrupted).toEqual(['b-long', 'c-long', 'd-quick']);
  });

  test('--in-process: the running scenario stops between two events; JUnit, lines, summary; exit 130', async () => {
    const dir = tmpdir('int-test-inproc');
    const junit = path.join(dir, 'junit.xml');
    const art = path.join(dir, 'art');
    const cli = startCli(['test', SUITE, '--in-process', '--artifacts', art, '--junit', junit, '--no-progress']);
    await cli.waitFor(/^PASS  \S+a-quick\.yaml/m);
    // b-long is running once its pcap holds a frame (pcaps are written a record at a time): no wall-clock guess.
    const pcap = path.join(art, 'b-long', 'hub0.pcap');
    while (!(fs.existsSync(pcap) && fs.statSync(pcap).size > 24 + 16)) await new Promise((r) => setTimeout(r, 50));
    cli.child.kill('SIGINT');
    const { code } = await cli.exit;
    expect(code).toBe(130);
    const out = cli.stdout();
    expect(out).toMatch(/^ERROR \S+b-long\.yaml/m);
    expect(out).toContain('2 scenarios not started: interrupted (SIGINT) before it finished');
    expect(out).toMatch(/^4 scenarios: 1 passed, 0 failed, 3 errors in \d+\.\d s \(in process\), interrupted \(SIGINT\)$/m);
    const cases = findAll(parseXml(fs.readFileSync(junit, 'utf8')), 'testcase');
    const errorOf = (name: string): XmlElement | undefined => findAll(cases.find((c) => c.attrs.name === name)!, 'error')[0];
    expect(errorOf('a-quick')).toBeUndefined();
    for (const n of ['b-long', 'c-long', 'd-quick']) expect(errorOf(n)!.attrs.type).toBe('interrupted');
    // Stopped in the middle of its hour: its pcap and trace were closed whole, at a frame and at a line.
    const frames = checkPcap(pcap);
    expect(frames).toBeGreaterThan(0);
    expect(errorOf('b-long')!.text).toContain(`partial pcap kept, valid up to its last whole frame: ${pcap} (${frames} frames)`);
    expect(checkTrace(path.join(art, 'b-long', 'trace.jsonl'))).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(art, 'b-long', 'result.json'))).toBe(false);
    expect(errorOf('c-long')!.text).toContain('it had not started');
  });
});
