/**
 * What was picked in the topology: a link's frames (a capture view filtered with the REPL's filter language, and
 * that link's own pcap to download: on the air it is the radiotap capture, which the header's all-links pcap of
 * the Ethernet links cannot hold) or a NIC's registers and rings.
 */
import { useState } from 'preact/hooks';
import type { WebSessionApi } from '../core/api';
import { NicById } from './NicPanel';
import { downloadBytes } from './download';
import { Panel } from './Panel';
import { timeText } from './format';

export type Picked = { kind: 'link'; name: string } | { kind: 'nic'; name: string };

function Frames({ api, link, onFocus }: { api: WebSessionApi; link: string; onFocus: (pkt: number) => void }) {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState('');
  const result = api.frames(link, filter || undefined);
  return (
    <div class="frames" data-frames={link}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft.trim());
        }}
      >
        <label for="frame-filter">filter</label>
        <input id="frame-filter" value={draft} placeholder="icmp and host 10.0.0.2" onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        <button type="submit">Apply</button>
        <button type="button" id="download-link-pcap" onClick={() => downloadBytes(api.pcap(link), `${api.info().scenario}-${link}.pcap`)}>
          Download {link}.pcap
        </button>
      </form>
      {'error' in result ? (
        <pre class="error" role="alert">
          {result.error}
        </pre>
      ) : (
        <table>
          <thead>
            <tr>
              <th>time</th>
              <th>pkt</th>
              <th>len</th>
              <th>summary</th>
            </tr>
          </thead>
          <tbody>
            {result.map((f, i) => (
              <tr key={i} class="has-pkt" tabIndex={0} onClick={() => onFocus(f.pkt)} onKeyDown={(e) => e.key === 'Enter' && onFocus(f.pkt)}>
                <td>{timeText(f.t)}</td>
                <td>{f.pkt}</td>
                <td>{f.len}</td>
                <td>{f.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!('error' in result) && result.length === 0 ? <p class="note">No frames{filter ? ' match' : ' yet'}.</p> : null}
    </div>
  );
}

export function Selection(props: { api: WebSessionApi; picked: Picked; version: number; onFocus: (pkt: number) => void; onClose: () => void }) {
  const { picked } = props;
  const close = (
    <button type="button" class="close" aria-label="close" onClick={props.onClose}>
      ×
    </button>
  );
  return picked.kind === 'link' ? (
    <Panel title={`Frames on ${picked.name}`} class="selection" actions={close}>
      <Frames key={picked.name} api={props.api} link={picked.name} onFocus={props.onFocus} />
    </Panel>
  ) : (
    <Panel title={`NIC ${picked.name}`} class="selection" actions={close}>
      <NicById api={props.api} name={picked.name} />
    </Panel>
  );
}
