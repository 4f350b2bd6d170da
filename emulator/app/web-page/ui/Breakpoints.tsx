/**
 * Breakpoints in the REPL's syntax (what follows `break `: "probe ip/output if icmp echo-request",
 * "reg alpha.en0.ISR", "irq beta 9", "time 1.5s"): add, list, delete. A bad one's error shows under the box.
 */
import { useState } from 'preact/hooks';
import type { WebSessionApi } from '../core/api';
import { Panel } from './Panel';

export function Breakpoints({ api, version }: { api: WebSessionApi; version: number }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [, setChanged] = useState(0);
  const add = (e: Event): void => {
    e.preventDefault();
    const spec = draft.trim().replace(/^break\s+/, '');
    if (!spec) return;
    const r = api.addBreakpoint(spec);
    if ('error' in r) {
      setError(r.error);
      return;
    }
    setError(null);
    setDraft('');
    setChanged((n) => n + 1);
  };
  const list = api.breakpoints();
  return (
    <Panel title="Breakpoints" class="breakpoints">
      <form onSubmit={add} data-version={version}>
        <label for="breakpoint-input">break</label>
        <input
          id="breakpoint-input"
          value={draft}
          placeholder="probe ip/output if icmp echo-request"
          aria-describedby="breakpoint-error"
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit" id="breakpoint-add">
          Add
        </button>
      </form>
      {error ? (
        <pre class="error" id="breakpoint-error" role="alert">
          {error}
        </pre>
      ) : null}
      {list.length ? (
        <ul id="breakpoint-list">
          {list.map((b) => (
            <li key={b.id} data-breakpoint={b.id}>
              <span>{b.text}</span>{' '}
              <button
                type="button"
                aria-label={`delete breakpoint ${b.id}`}
                onClick={() => {
                  api.deleteBreakpoint(b.id);
                  setChanged((n) => n + 1);
                }}
              >
                delete
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="note">No breakpoints.</p>
      )}
    </Panel>
  );
}
