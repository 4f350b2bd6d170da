/**
 * The web page's entry (esbuild bundles it to dist/web/app.js): load ./bundle.json, open a session on it in the
 * browser (core/session.ts: the REPL's debugger core over the simulation) and render the debugger (ui/).
 * A scenario with guest nodes first fetches the guest image and v86 that `qnxemu web` serves beside the page
 * (core/guest-files.ts), then boots its guests in the lookahead.
 * Nothing runs at import without a DOM, so the bundle can also be evaluated in a bare context (the core's tests).
 */
import type { ScenarioBundle } from './core/api';
import { guestFilesBytes, pageGuests } from './core/guest-files';
import { openSession } from './core/session';
import { fetchBundle, mount, showLoading } from './ui/boot';

export { mount, openSession };

/** The page's opener: guests from the served image, with a line saying what is happening while it loads. */
function openInPage(root: Element): (b: ScenarioBundle) => Promise<Awaited<ReturnType<typeof openSession>>> {
  return (bundle) =>
    openSession(bundle, {
      guests: async (sc) => {
        const names = sc.nodes.filter((n) => n.kind === 'guest').map((n) => n.name).join(', ');
        await showLoading(root, `Fetching the guest image and v86 for ${names}…`);
        const prepared = await pageGuests(sc);
        await showLoading(root, `Booting ${names} (Linux under v86, ${(guestFilesBytes / 1e6).toFixed(1)} MB loaded) in the lookahead run: a guest boot takes a while…`);
        return prepared;
      },
    });
}

if (typeof document !== 'undefined') {
  const root = document.getElementById('app');
  if (root) void mount(root, () => fetchBundle('./bundle.json'), openInPage(root));
}
