/**
 * Starting the page: fetch the scenario bundle, open a session on it and render the debugger, or one line
 * saying why not (a bundle that cannot be read, a scenario openSession refuses, such as one with guest nodes).
 * The loader and the opener are parameters so the component tests can drive this with a fake session.
 */
import { render } from 'preact';
import type { ScenarioBundle, WebSessionApi } from '../core/api';
import { App } from './App';
import { oneLine } from './text';

export type BundleLoader = () => Promise<ScenarioBundle>;
export type SessionOpener = (bundle: ScenarioBundle) => Promise<WebSessionApi>;

/** The page's bundle: ./bundle.json next to index.html (the server and `--out DIR` put it there). */
export async function fetchBundle(url = './bundle.json'): Promise<ScenarioBundle> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  let json: unknown;
  try {
    json = JSON.parse(await res.text());
  } catch (e) {
    throw new Error(`${url} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  // The full check is `qnxemu web`'s (core/bundle.ts checkBundle, Node side); here, enough to name what is wrong.
  const b = json as Partial<ScenarioBundle> | null;
  if (!b || typeof b !== 'object' || b.format !== 1 || typeof b.yaml !== 'string' || typeof b.file !== 'string' || typeof b.files !== 'object') {
    throw new Error(`${url} is not a scenario bundle (format 1 with file, yaml and files): make one with \`qnxemu web SCENARIO --out DIR\``);
  }
  return b as ScenarioBundle;
}

export function OpenError({ message }: { message: string }) {
  return (
    <main class="open-error">
      <h1>qnxemu debugger</h1>
      <p id="open-error" role="alert">
        {message}
      </p>
    </main>
  );
}

/**
 * Show `text` as the loading line and let the browser paint it before what follows (the lookahead runs without
 * yielding: a guest boot would otherwise leave the previous line on screen).
 */
export async function showLoading(root: Element, text: string): Promise<void> {
  render(<p class="loading">{text}</p>, root);
  await new Promise<void>((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(resolve, 0)));
}

/** Load, open, render; resolves with the session (null when it could not be opened). */
export async function mount(root: Element, load: BundleLoader, open: SessionOpener): Promise<WebSessionApi | null> {
  render(<p class="loading">Loading the scenario and running it once ahead (the lookahead)…</p>, root);
  let api: WebSessionApi;
  try {
    api = await open(await load());
  } catch (e) {
    render(<OpenError message={oneLine(e)} />, root);
    return null;
  }
  render(<App api={api} />, root);
  return api;
}
