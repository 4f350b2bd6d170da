/**
 * The focused packet's sequence diagram (SVG): one lane per device and layer in PathView.lanes' order, one row
 * per hop with an arrow from the lane of the hop before, the probe's name beside it, and per hop its latency
 * from the hop before and since the first (its time and record in the tooltip and the hop panel). Each hop's group carries data-hop="<n>" and its state (past, cursor, future) as a class;
 * clicking (or Enter on) a hop selects it for the detail panel.
 */
import type { HopView, PathView } from '../core/api';
import { deltaText, durationText, timeText } from './format';

const LANE_W = 36;
const ROW_H = 20;
const HEAD_H = 44;
const PAD = 6;
/** The hop columns (#, +hop, total): an SVG of their own, left of the lanes, that stays put when the lanes scroll sideways. */
const TEXT_W = 200;

/** Lanes as "device/layer"; the device is everything before the last slash. */
function splitLane(lane: string): { device: string; layer: string } {
  const i = lane.lastIndexOf('/');
  return i < 0 ? { device: lane, layer: '' } : { device: lane.slice(0, i), layer: lane.slice(i + 1) };
}

/** Runs of consecutive lanes with the same device: the device headers. */
function deviceRuns(lanes: string[]): { device: string; first: number; count: number }[] {
  const runs: { device: string; first: number; count: number }[] = [];
  lanes.forEach((lane, i) => {
    const { device } = splitLane(lane);
    const last = runs[runs.length - 1];
    if (last && last.device === device) last.count++;
    else runs.push({ device, first: i, count: 1 });
  });
  return runs;
}

export function Sequence({ path, selected, onSelect }: { path: PathView | null; selected: number | null; onSelect: (n: number) => void }) {
  if (!path) {
    return (
      <div id="sequence" class="sequence empty">
        No packet in focus: stop on a packet's record (a breakpoint, step, next) or click one in the timeline.
      </div>
    );
  }
  const lanes = path.lanes;
  const laneX = (i: number): number => PAD + i * LANE_W + LANE_W / 2;
  const laneOf = (h: HopView): number => lanes.indexOf(`${h.device}/${h.layer}`);
  const rowY = (i: number): number => HEAD_H + i * ROW_H + ROW_H / 2;
  // Room on the right for the last lane's probe labels.
  const width = lanes.length * LANE_W + 2 * PAD + 100;
  const height = HEAD_H + path.hops.length * ROW_H + PAD;
  const last = path.hops[path.hops.length - 1];
  const classOf = (h: HopView): string => `hop ${h.state}${h.n === selected ? ' selected' : ''}`;
  return (
    <div id="sequence" class="sequence">
      <p class="path-summary">
        {path.hops.length} hops{last ? `, ${durationText(last.total)} from first to last` : ''}
        {path.complete ? '' : ' (so far: no lookahead)'}
      </p>
      <div class="sequence-body">
        <svg class="sequence-cols" width={TEXT_W} height={height} viewBox={`0 0 ${TEXT_W} ${height}`} aria-hidden="true">
          <rect class="cols-bg" x={0} y={0} width={TEXT_W} height={height} />
          <text class="cols" x={PAD} y={32}>
            {'#    +hop         total'}
          </text>
          {path.hops.map((h, i) => (
            <g key={h.n} class={classOf(h)} data-hop-row={h.n} onClick={() => onSelect(h.n)}>
              <rect class="row" x={0} y={rowY(i) - ROW_H / 2} width={TEXT_W} height={ROW_H} />
              <text class="hop-text" x={PAD} y={rowY(i) + 4}>
                {`${String(h.n).padEnd(4)} ${(i === 0 ? '' : deltaText(h.delta)).padEnd(12)} ${durationText(h.total)}`}
              </text>
            </g>
          ))}
        </svg>
        <svg class="sequence-lanes" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="group" aria-label={`sequence diagram of packet ${path.pkt}`}>
          <defs>
            <marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
            </marker>
          </defs>
          {deviceRuns(lanes).map((r) => (
            <g class="device-head" key={`d${r.first}`}>
              <rect x={PAD + r.first * LANE_W + 1} y={2} width={r.count * LANE_W - 2} height={16} rx={3} />
              <text x={PAD + (r.first + r.count / 2) * LANE_W} y={14} text-anchor="middle">
                {r.device}
              </text>
            </g>
          ))}
          {lanes.map((lane, i) => (
            <g class="lane" key={lane} data-lane={lane}>
              <text x={laneX(i)} y={32} text-anchor="middle">
                {splitLane(lane).layer}
              </text>
              <line x1={laneX(i)} y1={HEAD_H - 6} x2={laneX(i)} y2={height - PAD} />
            </g>
          ))}
          {path.hops.map((h, i) => {
            const lane = laneOf(h);
            const prev = i > 0 ? path.hops[i - 1] : undefined;
            const prevLane = prev ? laneOf(prev) : -1;
            const x = laneX(Math.max(0, lane));
            const y = rowY(i);
            return (
              <g
                key={h.n}
                class={classOf(h)}
                data-hop={h.n}
                data-t={timeText(h.t)}
                data-device={h.device}
                data-layer={h.layer}
                data-probe={h.probe}
                tabIndex={0}
                role="button"
                aria-label={`hop ${h.n}: ${h.device} ${h.layer}/${h.probe}`}
                onClick={() => onSelect(h.n)}
                onKeyDown={(e) => (e.key === 'Enter' ? onSelect(h.n) : undefined)}
              >
                <title>{`${timeText(h.t)} ${h.record.text} (${h.direction})`}</title>
                <rect class="row" x={0} y={y - ROW_H / 2} width={width} height={ROW_H} />
                {prev && prevLane >= 0 && lane >= 0 && prevLane !== lane ? (
                  <line class="arrow" x1={laneX(prevLane)} y1={rowY(i - 1)} x2={x} y2={y} marker-end="url(#arrowhead)" />
                ) : prev ? (
                  <line class="stay" x1={x} y1={rowY(i - 1)} x2={x} y2={y} />
                ) : null}
                <circle cx={x} cy={y} r={4} />
                <text class="probe" x={x + 7} y={y - 3}>
                  {h.probe}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
