/** The packet's bytes decoded by layer (PacketView: the stack's wire library, as `show packet` decodes them) and its hex dump. */
import type { PacketView, WebSessionApi } from '../core/api';

export function PacketPanel({ view }: { view: PacketView }) {
  return (
    <div class="packet" id="packet">
      <p class="packet-summary">{view.summary}</p>
      {view.layers.map((l, i) => (
        <details open key={`${i}-${l.name}`} class="layer">
          <summary>{l.name}</summary>
          <table>
            <tbody>
              {l.fields.map(([k, v], j) => (
                <tr key={`${j}-${k}`}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      {view.hex.length ? <pre class="hex">{view.hex.join('\n')}</pre> : <p class="note">No bytes yet: no medium has carried this packet.</p>}
    </div>
  );
}

/** The packet by id, read from the session when rendered. */
export function PacketById({ api, pkt }: { api: WebSessionApi; pkt: number }) {
  return <PacketPanel view={api.packet(pkt)} />;
}
