// Builds dist/ once before the tests, so CLI tests run the same bundle users run; then builds (or finds) the Linux
// guest image once, so no test's child process builds it and prints the build's progress on its stderr (CI, a fresh
// machine: stop 40's run failed on exactly that). When the image cannot be built, the suite still runs and the guest
// tests fail with the reason, as they would without this step.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
module.exports = async () => {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [path.join(__dirname, 'build.mjs')], { cwd: root, stdio: 'inherit' });
  try {
    execFileSync(process.execPath, [path.join(root, 'dist', 'qnxemu.js'), 'guest', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('jest global setup: `qnxemu guest build` failed; the tests that boot a Linux guest will say why');
  }
};
