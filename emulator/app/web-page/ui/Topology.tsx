/**
 * The scenario's topology (SVG): nodes, their NICs, the links and media they attach to, with live counters
 * (frames and bytes per link, tx/rx per NIC). Clicking (or Enter on) a link or a NIC picks it: the selection
 * panel shows the link's frames or the NIC's registers. Links carry data-link, NICs data-nic.
 */
import type { TopologyView, WebSessionApi } from '../core/api';
import { layoutTopology, nicKey, NODE_R } from './layout';
import type { Picked } from './Selection';

/**
 * A NIC's counters in a few characters, "tx 3 rx 2": the frames its port put on the link (`link-tx-frames`) and
 * the frames the link handed it (`link-rx-frames`: wire deliveries, PPDUs its radio decoded), from the session's
 * taps and records; the model's own counters when those are missing.
 */
export function nicCounterText(c: Record<string, number> | undefined): string {
  if (!c) return '';
  const pick = (re: RegExp): number | undefined => Object.entries(c).find(([k]) => re.test(k))?.[1];
  const tx = c['link-tx-frames'] ?? pick(/^tx/i);
  const rx = c['link-rx-frames'] ?? pick(/^rx(-?frames|-?packets)?$/i);
  return [tx !== undefined ? `tx ${tx}` : '', rx !== undefined ? `rx ${rx}` : ''].filter(Boolean).join(' ');
}

export function Topology(props: { api: WebSessionApi; topology: TopologyView; version: number; picked: Picked | null; onPick: (p: Picked) => void }) {
  const t = props.topology;
  const counters = props.api.counters();
  const lay = layoutTopology(t);
  const keyPick = (p: Picked) => (e: KeyboardEvent) => (e.key === 'Enter' ? props.onPick(p) : undefined);
  const isPicked = (p: Picked): boolean => props.picked?.kind === p.kind && props.picked.name === p.name;
  return (
    <svg id="topology" class="topology" width={lay.width} height={lay.height} viewBox={`0 0 ${lay.width} ${lay.height}`} role="group" aria-label="topology">
      {t.nodes.flatMap((n) =>
        n.nics.map((nic) => {
          const a = lay.nics.get(nicKey(n.name, nic.name));
          const b = lay.links.get(nic.link);
          return a && b ? <line key={`w-${n.name}-${nic.name}`} class={`wire kind-${t.links.find((l) => l.name === nic.link)?.kind ?? ''}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} /> : null;
        }),
      )}
      {t.links.map((l) => {
        const p = lay.links.get(l.name)!;
        const c = counters.links[l.name];
        const pick: Picked = { kind: 'link', name: l.name };
        return (
          <g key={l.name} class={`link${isPicked(pick) ? ' picked' : ''}`} data-link={l.name} tabIndex={0} role="button" aria-label={`link ${l.name}: frames`} onClick={() => props.onPick(pick)} onKeyDown={keyPick(pick)}>
            <rect x={p.x - 22} y={p.y - 11} width={44} height={22} rx={4} />
            <text x={p.x} y={p.y + 4} text-anchor="middle">
              {l.name}
            </text>
            <text class="counter" x={p.x} y={p.y + 24} text-anchor="middle">
              {`${l.kind} · ${c?.frames ?? 0} fr · ${c?.bytes ?? 0} B`}
            </text>
          </g>
        );
      })}
      {t.nodes.map((n) => {
        const p = lay.nodes.get(n.name)!;
        return (
          <g key={n.name} class={`node node-${n.kind}`} data-node={n.name}>
            <circle cx={p.x} cy={p.y} r={NODE_R} />
            <text x={p.x} y={p.y + 4} text-anchor="middle">
              {n.name}
            </text>
            {n.nics.map((nic) => {
              const key = nicKey(n.name, nic.name);
              const q = lay.nics.get(key)!;
              const pick: Picked = { kind: 'nic', name: key };
              return (
                <g key={key} class={`nic-dot${isPicked(pick) ? ' picked' : ''}`} data-nic={key} tabIndex={0} role="button" aria-label={`NIC ${key} (${nic.model}): registers`} onClick={() => props.onPick(pick)} onKeyDown={keyPick(pick)}>
                  <title>{`${key} ${nic.model} ${nic.mac} on ${nic.link}`}</title>
                  <circle cx={q.x} cy={q.y} r={6} />
                  <text class="counter" x={q.x} y={q.y - 9} text-anchor="middle">
                    {nicCounterText(counters.nics[key])}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
