/**
 * The web page's entry (esbuild bundles it to dist/web/app.js): load ./bundle.json, open a session on it in the
 * browser (core/session.ts: the REPL's debugger core over the simulation) and render the debugger (ui/).
 * Nothing runs at import without a DOM, so the bundle can also be evaluated in a bare context (the core's tests).
 */
import { openSession } from './core/session';
import { fetchBundle, mount } from './ui/boot';

export { mount, openSession };

if (typeof document !== 'undefined') {
  const root = document.getElementById('app');
  if (root) void mount(root, () => fetchBundle('./bundle.json'), openSession);
}
