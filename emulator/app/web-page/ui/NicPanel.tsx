/**
 * One NIC as its model shows itself (NicView.inspection, from the model's inspect(): registers read through the
 * tables' side-effect-free peek, by group with datasheet names and set bits; rings and engines; counters).
 */
import type { NicView, WebSessionApi } from '../core/api';
import { hex } from './text';

export function NicPanel({ view }: { view: NicView }) {
  const ins = view.inspection;
  return (
    <div class="nic" data-nic-view={view.name}>
      <p class="nic-head">
        <strong>{view.name}</strong> {view.model} on {view.link || '(no link)'}, MAC {view.mac}
      </p>
      <p class="nic-summary">{ins.summary}</p>
      <div class="reg-groups">
        {ins.registers.map((g) => (
          <table class="regs" key={g.group}>
            <caption>{g.group}</caption>
            <tbody>
              {g.regs.map((r) => (
                <tr key={r.name}>
                  <th scope="row">{r.name}</th>
                  <td class="v">{hex(r.value, r.width)}</td>
                  <td class="bits">{r.bits?.join(' ') ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
      {ins.rings.map((ring) => (
        <div class="ring" key={ring.name}>
          <h4>{ring.name}</h4>
          <p>{ring.summary}</p>
          {ring.entries.length ? <pre>{ring.entries.join('\n')}</pre> : null}
        </div>
      ))}
      {ins.counters.length ? (
        <p class="nic-counters">
          {ins.counters.map((c) => (
            <span key={c.name}>
              {c.name} {c.value}
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}

/** The NIC by name ("alpha.nic0"), read from the session when rendered (inside a Panel: a bad name stays there). */
export function NicById({ api, name }: { api: WebSessionApi; name: string }) {
  return <NicPanel view={api.nic(name)} />;
}
