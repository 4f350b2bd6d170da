/**
 * A box for any REPL command (the same interpreter as `qnxemu debug`: show, path, history, break, step, …)
 * and a transcript of what it printed. A command may move the session: `onRan` refreshes the page after it.
 * Up/Down recall earlier commands.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WebSessionApi } from '../core/api';
import { Panel } from './Panel';
import { oneLine } from './text';

export function CommandBox({ api, onRan }: { api: WebSessionApi; onRan: () => void }) {
  const [draft, setDraft] = useState('');
  const [log, setLog] = useState<string[]>([]);
  const [history, setHistory] = useState<string[]>([]);
  const [back, setBack] = useState(0);
  const out = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (out.current) out.current.scrollTop = out.current.scrollHeight;
  }, [log]);
  const run = (e: Event): void => {
    e.preventDefault();
    const line = draft.trim();
    if (!line) return;
    let lines: string[];
    try {
      lines = api.command(line);
    } catch (err) {
      lines = [`error: ${oneLine(err)}`];
    }
    setLog((l) => [...l, `(qnxemu) ${line}`, ...lines].slice(-2000));
    setHistory((h) => [...h, line]);
    setBack(0);
    setDraft('');
    onRan();
  };
  const recall = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const b = Math.max(0, Math.min(history.length, back + (e.key === 'ArrowUp' ? 1 : -1)));
    setBack(b);
    setDraft(b === 0 ? '' : history[history.length - b] ?? '');
  };
  return (
    <Panel title="Command" class="command">
      <pre id="command-output" ref={out} aria-live="polite">
        {log.join('\n')}
      </pre>
      <form onSubmit={run}>
        <label for="command-input">(qnxemu)</label>
        <input id="command-input" value={draft} placeholder="show nic beta.nic0 · path · history 10 · help" autoComplete="off" onInput={(e) => setDraft((e.target as HTMLInputElement).value)} onKeyDown={recall} />
        <button type="submit" id="command-run">
          Run
        </button>
      </form>
    </Panel>
  );
}
