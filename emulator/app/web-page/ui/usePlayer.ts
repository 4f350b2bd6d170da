/**
 * Play/pause: while playing, step the session a few events per tick until a stop that is not a plain step
 * (a breakpoint, the end of the run) or a step that made no progress. Ticks are setTimeout callbacks: UI code,
 * so wall-clock pacing is fine here — the simulation itself only ever advances by the session's step().
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StopView } from '../core/api';

/** Delay between ticks, ms: lets the page repaint between steps. */
const TICK_MS = 30;

export interface Player {
  playing: boolean;
  toggle(): void;
  pause(): void;
}

/** `step` runs the session forward and returns the stop (null when it failed: playing stops). */
export function usePlayer(step: () => StopView | null): Player {
  const [playing, setPlaying] = useState(false);
  const stepRef = useRef(step);
  stepRef.current = step;
  useEffect(() => {
    if (!playing) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = -1;
    const tick = (): void => {
      const s = stepRef.current();
      if (!s || s.reason !== 'step' || s.executed === last) {
        setPlaying(false);
        return;
      }
      last = s.executed;
      timer = setTimeout(tick, TICK_MS); // wall clock: UI pacing only (see the header), never simulated time
    };
    timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  }, [playing]);
  return { playing, toggle: () => setPlaying((p) => !p), pause: () => setPlaying(false) };
}
