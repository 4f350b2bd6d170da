// Jest transformer: TypeScript/ESM -> CommonJS with esbuild (fast; types are checked by `npm run typecheck`).
const { transformSync } = require('esbuild');
const crypto = require('node:crypto');
module.exports = {
  process(src, filename) {
    const loader = filename.endsWith('.ts') ? 'ts' : filename.endsWith('.tsx') ? 'tsx' : 'js';
    // .tsx is the web page's Preact UI (tsconfig.web.json): the automatic JSX runtime from preact.
    const jsx = loader === 'tsx' ? { jsx: 'automatic', jsxImportSource: 'preact' } : {};
    const out = transformSync(src, { loader, ...jsx, format: 'cjs', target: 'node20', sourcemap: 'inline', sourcefile: filename });
    return { code: out.code };
  },
  getCacheKey(src, filename) {
    return crypto.createHash('sha1').update(src).update(filename).update('v2').digest('hex');
  },
};
