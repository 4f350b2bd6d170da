/**
 * The run controls (play/pause, step, back, next, continue, restart, run to a time) and where the session
 * stopped: the reason, the message and the event, as the REPL's stop line says them.
 */
import { useState } from 'preact/hooks';
import type { StopView } from '../core/api';
import { parseTimeArg } from '../../debug/records';
import { timeText } from './format';
import type { KeyAction } from './keys';

/**
 * The stop in one line: the REPL's first line for it (after the console lines it prints first, `alpha | …`),
 * else reason, message, time and event.
 */
export function stopLine(s: StopView): string {
  const first = s.lines.slice(s.console.length).find((l) => !/^\S+ \| /.test(l));
  if (first) return first;
  const where = `at ${timeText(s.now)}, event #${s.executed}${s.event ? ` ${s.event}` : ''}`;
  return `${s.reason}${s.message ? `: ${s.message}` : ''} ${where}`;
}

/** Events per play tick. */
export const SPEEDS = [1, 10, 100, 1000] as const;

export function Controls(props: { stop: StopView; playing: boolean; speed: number; onSpeed: (n: number) => void; error: string | null; onAction: (a: KeyAction) => void; onRunUntil: (t: number) => void }) {
  const [until, setUntil] = useState('');
  const [untilError, setUntilError] = useState<string | null>(null);
  const button = (id: string, action: KeyAction, label: string, key: string) => (
    <button type="button" id={id} onClick={() => props.onAction(action)} title={`${label} (${key})`}>
      {label}
    </button>
  );
  const runUntil = (ev: Event): void => {
    ev.preventDefault();
    const t = parseTimeArg(until);
    if (t === null) {
      setUntilError(`bad time "${until}": write 1.5s, 250ms, 300us, 1.107849125 (seconds) or ns`);
      return;
    }
    setUntilError(null);
    props.onRunUntil(t);
  };
  return (
    <nav class="controls" aria-label="Run controls">
      <button type="button" id="play" aria-pressed={props.playing} onClick={() => props.onAction('play')} title="play / pause (space)">
        {props.playing ? 'Pause' : 'Play'}
      </button>
      <label class="speed">
        <select id="speed" value={String(props.speed)} aria-label="events per play tick" onChange={(e) => props.onSpeed(Number((e.target as HTMLSelectElement).value))}>
          {SPEEDS.map((n) => (
            <option key={n} value={String(n)}>
              {n} ev/tick
            </option>
          ))}
        </select>
      </label>
      {button('back', 'back', 'Back', 'b, ←')}
      {button('step', 'step', 'Step', 's, →')}
      {button('next', 'next', 'Next hop', 'n')}
      {button('continue', 'continue', 'Continue', 'c')}
      {button('restart', 'restart', 'Restart', 'r')}
      <form class="until" onSubmit={runUntil}>
        <label for="until-input">run to time</label>
        <input id="until-input" value={until} placeholder="1.5s" size={12} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        <button type="submit" id="until">
          Run
        </button>
      </form>
      <output id="stop" class={`stop stop-${props.stop.reason}`} title={props.stop.lines.join('\n')}>
        {stopLine(props.stop)}
      </output>
      {props.stop.lines.length ? (
        <details class="stop-lines">
          <summary>as the REPL prints it</summary>
          <pre id="stop-lines">{props.stop.lines.join('\n')}</pre>
        </details>
      ) : null}
      {untilError || props.error ? (
        <p class="error" role="alert" id="control-error">
          {untilError ?? props.error}
        </p>
      ) : null}
    </nav>
  );
}
