/**
 * The end of a threaded guest's console (emulator/app/assembly/guest-worker.ts ConsoleTail): the text after its last
 * complete line up to the run's end, which the main thread shows as a last line as a single-threaded console does.
 * The worker's CPU prints past the end (its serial port does not wait), so what it printed after the end must not
 * count, and a line that ended after the end is not complete at the end.
 */
import { ConsoleTail } from '../../emulator/app/assembly/guest-worker';

/** Characters printed one at a time, `dt` ns apart from `t0` (as the serial port delivers them). */
function print(tail: ConsoleTail, t0: number, text: string, settled: number, dt = 10): number {
  let t = t0;
  for (const ch of text) {
    tail.add(t, ch, settled);
    t += dt;
  }
  return t;
}

describe('ConsoleTail', () => {
  test('the text after the last newline at or before the end, up to the end', () => {
    const tail = new ConsoleTail();
    // "boot\n" at 0..40, "guest# " at 100..160, then "ls\n" typed echo at 500..520.
    print(tail, 0, 'boot\n', -1);
    print(tail, 100, 'guest# ', -1);
    print(tail, 500, 'ls\n', -1);
    expect(tail.upTo(40)).toBe(''); // the newline at 40 ended the line
    expect(tail.upTo(39)).toBe('boot');
    expect(tail.upTo(130)).toBe('gues'); // g u e s at 100, 110, 120, 130
    expect(tail.upTo(499)).toBe('guest# ');
    expect(tail.upTo(515)).toBe('guest# ls'); // the newline at 520 comes after the end
    expect(tail.upTo(520)).toBe('');
  });

  test('lines that ended by a settled time are dropped as they come; the answer is the same', () => {
    const kept = new ConsoleTail();
    const pruned = new ConsoleTail();
    let t = 0;
    for (let i = 0; i < 1000; i++) {
      print(kept, t, `line ${i}\n`, -1);
      // The run's end is known not to come before the line's end: the line is done with.
      t = print(pruned, t, `line ${i}\n`, t + 1000);
    }
    print(kept, t, 'prompt> ', -1);
    print(pruned, t, 'prompt> ', t);
    expect(pruned.upTo(t + 1000)).toBe('prompt> ');
    expect(kept.upTo(t + 1000)).toBe('prompt> ');
    expect(pruned.upTo(t + 25)).toBe(kept.upTo(t + 25));
    // What is kept does not grow with the lines before (the last fragments only).
    expect((pruned as unknown as { frags: unknown[] }).frags.length).toBe('prompt> '.length);
    expect((kept as unknown as { frags: unknown[] }).frags.length).toBeGreaterThan(8000);
  });
});
