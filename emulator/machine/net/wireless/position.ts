/**
 * Where the nodes are: one position per node (metres), read by the wireless media whenever a signal leaves or
 * reaches a node's radio, and changed by a scenario's `move` action. A move takes effect for signals sent after it;
 * signals already on the air keep the power and delay they left with (a node moves metres in seconds, a frame lasts
 * microseconds).
 */
import type { ComponentContext } from '../../sim/context';
import { readState, stateVersions } from '../../sim/snapshot';
import type { Position } from './radio';

export const POSITIONS_STATE = stateVersions('node positions', 1);

export interface PositionsState {
  v: 1;
  positions: [string, Position][];
}

export class Positions {
  private readonly table = new Map<string, Position>();

  constructor(private readonly ctx: ComponentContext) {}

  /** Place a node (when it is built). */
  place(node: string, p: Position): void {
    this.table.set(node, { x: p.x, y: p.y, z: p.z });
  }

  get(node: string): Position {
    return this.table.get(node) ?? { x: 0, y: 0, z: 0 };
  }

  /** A getter for one node, to hand a radio when it attaches. */
  of(node: string): () => Position {
    return () => this.get(node);
  }

  /** A `move` action: the node is at `p` from now on. */
  move(node: string, p: Position): void {
    const from = this.get(node);
    this.table.set(node, { x: p.x, y: p.y, z: p.z });
    this.ctx.tracer.emit(node, 'air', 'move', 0, { from: fmt(from), to: fmt(p) });
  }

  saveState(): PositionsState {
    return { v: 1, positions: [...this.table].map(([n, p]) => [n, { ...p }]) };
  }

  loadState(saved: { v: number }): void {
    const s = readState<PositionsState>(this.ctx.name, POSITIONS_STATE, saved);
    this.table.clear();
    for (const [n, p] of s.positions) this.table.set(n, { ...p });
  }
}

function fmt(p: Position): string {
  return `${p.x},${p.y},${p.z}`;
}
