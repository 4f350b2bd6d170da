/** Every node's console so far (WebSessionApi.consoles()), one scrolling block per node. */
import type { WebSessionApi } from '../core/api';
import { Panel } from './Panel';

export function Consoles({ api, version }: { api: WebSessionApi; version: number }) {
  const all = api.consoles();
  const nodes = Object.keys(all);
  const printed = nodes.some((n) => (all[n]?.length ?? 0) > 0);
  return (
    <Panel title="Consoles" class="consoles">
      <div id="consoles" data-version={version}>
        {!printed ? <p class="note">No node has printed anything yet.</p> : null}
        {nodes.map((n) => (
          <details key={n} open data-console={n}>
            <summary>
              {n} ({all[n]?.length ?? 0} lines)
            </summary>
            <pre>{(all[n] ?? []).join('\n')}</pre>
          </details>
        ))}
      </div>
    </Panel>
  );
}
