/** The keyboard help: a one-line footer always shown, and the `?` overlay listing every binding (from keys.ts). */
import { KEY_BINDINGS, keyLabel } from './keys';

export function KeysLine() {
  return (
    <footer class="keys-line" id="keys-line">
      keys: {KEY_BINDINGS.filter((b) => b.action !== 'close')
        .map((b) => `${b.keys.map(keyLabel).join('/')} ${b.action}`)
        .join(' · ')}
    </footer>
  );
}

export function Help({ onClose }: { onClose: () => void }) {
  return (
    <div class="help-overlay" id="help" role="dialog" aria-modal="true" aria-label="Keyboard help">
      <div class="help-box">
        <h2>Keyboard</h2>
        <table>
          <tbody>
            {KEY_BINDINGS.map((b) => (
              <tr key={b.action}>
                <td>
                  {b.keys.map((k) => (
                    <kbd key={k}>{keyLabel(k)}</kbd>
                  ))}
                </td>
                <td>{b.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          Click a record with a packet in the timeline to show that packet's path; click a hop to see its NIC, interrupt controller
          and bytes; click a link or a NIC in the topology for its frames or registers.
        </p>
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}
