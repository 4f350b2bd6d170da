/**
 * Where the topology view draws things. Nodes with scenario positions (wireless) are placed by them, scaled to
 * the view; the others go on a circle in scenario order. A link (cable, hub, switch, air) sits at the centre of
 * the nodes it connects, nudged apart when two would meet. Pure and deterministic: the same scenario always
 * draws the same picture.
 */
import { meanBy } from 'lodash';
import type { TopologyView } from '../core/api';

export interface Point {
  x: number;
  y: number;
}

export interface TopologyLayout {
  width: number;
  height: number;
  nodes: Map<string, Point>;
  links: Map<string, Point>;
  /** NIC "<node>.<nic>" → where its dot sits (on the node's edge, toward its link). */
  nics: Map<string, Point>;
}

export const NODE_R = 26;
const MARGIN = 48;

/** A port's node: ports are written "<node>.<nic>" (or just the node). */
export function portNode(port: string): string {
  const i = port.indexOf('.');
  return i < 0 ? port : port.slice(0, i);
}

export function nicKey(node: string, nic: string): string {
  return nic.includes('.') ? nic : `${node}.${nic}`;
}

export function layoutTopology(t: TopologyView, width = 420, height = 300): TopologyLayout {
  const nodes = new Map<string, Point>();
  const placed = t.nodes.filter((n) => n.position);
  if (placed.length > 0) {
    const xs = placed.map((n) => n.position!.x);
    const ys = placed.map((n) => n.position!.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (width - 2 * MARGIN) / Math.max(1e-9, x1 - x0);
    const sy = (height - 2 * MARGIN) / Math.max(1e-9, y1 - y0);
    const s = Math.min(sx, sy);
    for (const n of placed) {
      const p = n.position!;
      nodes.set(n.name, { x: x1 === x0 ? width / 2 : MARGIN + (p.x - x0) * s, y: y1 === y0 ? height / 2 : MARGIN + (p.y - y0) * s });
    }
  }
  const rest = t.nodes.filter((n) => !nodes.has(n.name));
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.min(width, height) / 2 - MARGIN;
  rest.forEach((n, i) => {
    if (placed.length === 0 && rest.length === 1) {
      nodes.set(n.name, { x: cx, y: cy });
      return;
    }
    // Start on the left so two nodes sit side by side, as a reader expects a ping drawn.
    const a = Math.PI + (2 * Math.PI * i) / rest.length;
    nodes.set(n.name, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) * (placed.length ? 0.3 : 1) });
  });
  const links = new Map<string, Point>();
  for (const l of t.links) {
    const ends = l.ports.map((p) => nodes.get(portNode(p))).filter((p): p is Point => p !== undefined);
    let p: Point = ends.length ? { x: meanBy(ends, 'x'), y: meanBy(ends, 'y') } : { x: cx, y: cy };
    while ([...links.values(), ...nodes.values()].some((q) => Math.hypot(q.x - p.x, q.y - p.y) < NODE_R)) p = { x: p.x, y: p.y + NODE_R * 1.2 };
    links.set(l.name, p);
  }
  const nics = new Map<string, Point>();
  for (const n of t.nodes) {
    const c = nodes.get(n.name)!;
    for (const nic of n.nics) {
      const to = links.get(nic.link) ?? { x: c.x, y: c.y + 1 };
      const d = Math.hypot(to.x - c.x, to.y - c.y) || 1;
      nics.set(nicKey(n.name, nic.name), { x: c.x + ((to.x - c.x) / d) * NODE_R, y: c.y + ((to.y - c.y) / d) * NODE_R });
    }
  }
  return { width, height, nodes, links, nics };
}
