/**
 * The order jest starts the test files in. Jest's own order puts files that failed last time first, then the
 * slowest by the durations it cached from earlier runs, and files it has no duration for by size. A fresh clone
 * (CI) has no cache, and file size says little here: tests/system/threads.test.ts, 154 lines, boots Linux guests
 * ten times and takes minutes. With two workers the run ends when the last file does, so a long
 * file started late keeps one core busy alone at the end. This sequencer orders by jest's cached duration, or
 * for a file without one by the duration measured in scripts/jest-durations.json (seconds, from one uncontended
 * run of the whole suite, files of 5 s and more; docs/testing.md "How long the suite takes" says how to measure
 * them again), then by size, so the slow ones go first on any machine. A stale figure only changes the order,
 * never a result.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const measured = require('./jest-durations.json');

const root = path.join(__dirname, '..');

class SlowFirst extends Sequencer {
  sort(tests) {
    const seconds = (t) => {
      const cached = this.time(t);
      if (cached !== undefined) return cached / 1000;
      return measured[path.relative(root, t.path).split(path.sep).join('/')] ?? 0;
    };
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    const key = new Map(tests.map((t) => [t, { failed: this.hasFailed(t), s: seconds(t), size: size(t) }]));
    // Files that failed last time first (jest's rule: the answer that matters comes soonest), then the slowest.
    return [...tests].sort((a, b) => {
      const [x, y] = [key.get(a), key.get(b)];
      if (x.failed !== y.failed) return x.failed ? -1 : 1;
      if (x.s !== y.s) return y.s - x.s;
      return y.size - x.size;
    });
  }
}

module.exports = SlowFirst;
