// Builds dist/ once before the tests, so CLI tests run the same bundle users run.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
module.exports = async () => {
  execFileSync(process.execPath, [path.join(__dirname, 'build.mjs')], { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
};
