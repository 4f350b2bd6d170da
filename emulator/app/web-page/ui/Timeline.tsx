/**
 * The event list (Packet Tracer's "event list"): the session's records so far, newest last, the cursor's
 * highlighted and scrolled into view (the newest record when stopped between events). A record with a packet
 * id is a button: it puts that packet in focus. Only the last WINDOW records are drawn (a run has tens of
 * thousands); "show earlier" adds more.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WebSessionApi } from '../core/api';
import { fieldsLine, timeText } from './format';

const WINDOW = 200;

export function Timeline(props: { api: WebSessionApi; version: number; cursor: number | null; focus: number; onFocus: (pkt: number) => void }) {
  const [shown, setShown] = useState(WINDOW);
  const count = props.api.recordCount();
  const from = Math.max(0, count - shown);
  const recs = props.api.records(from, count - from);
  const cursorRow = useRef<HTMLTableRowElement>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // The cursor's record in view; between events (no cursor), the newest record.
    if (cursorRow.current) cursorRow.current.scrollIntoView?.({ block: 'nearest' });
    else if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [props.version, props.cursor]);
  return (
    <div id="timeline" class="timeline" ref={box}>
      <p class="count">
        {count} records so far
        {from > 0 ? (
          <button type="button" class="earlier" onClick={() => setShown(shown + WINDOW)}>
            show {Math.min(WINDOW, from)} earlier
          </button>
        ) : null}
      </p>
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>node</th>
            <th>layer/probe</th>
            <th>pkt</th>
            <th>fields</th>
          </tr>
        </thead>
        <tbody>
          {recs.map((r) => {
            const isCursor = r.index === props.cursor;
            const cls = [isCursor ? 'cursor' : '', props.cursor !== null && r.index > props.cursor ? 'ahead' : '', r.pkt > 0 && r.pkt === props.focus ? 'focused' : '', r.pkt > 0 ? 'has-pkt' : '']
              .filter(Boolean)
              .join(' ');
            const pick = r.pkt > 0 ? () => props.onFocus(r.pkt) : undefined;
            return (
              <tr
                key={r.index}
                ref={isCursor ? cursorRow : undefined}
                class={cls}
                data-record={r.index}
                data-pkt={r.pkt || undefined}
                aria-current={isCursor ? 'step' : undefined}
                tabIndex={pick ? 0 : undefined}
                onClick={pick}
                onKeyDown={pick ? (e) => e.key === 'Enter' && pick() : undefined}
                title={r.text}
              >
                <td class="t">{timeText(r.t)}</td>
                <td>{r.node || '(net)'}</td>
                <td>
                  {r.layer}/{r.probe}
                </td>
                <td>{r.pkt || ''}</td>
                <td class="fields">{fieldsLine(r.fields)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
