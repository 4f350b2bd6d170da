/**
 * The selected hop: where it is (device, layer, probe, fields), and at a node its NIC (the record's `nic`
 * field, else one of the node's NICs to pick), its interrupt controllers (`show pic`/`show ioapic`), and
 * the packet's bytes decoded by layer. At a link: the link's frame and byte counts.
 */
import { useState } from 'preact/hooks';
import type { HopView, TopologyView, WebSessionApi } from '../core/api';
import { NicById } from './NicPanel';
import { PacketById } from './PacketPanel';
import { Panel } from './Panel';
import { fieldsLine, timeText } from './format';

/** The NIC names a node's hop can show: "<node>.<nic>", the record's own NIC first. */
export function hopNics(hop: HopView, topology: TopologyView): string[] {
  const node = topology.nodes.find((n) => n.name === hop.device);
  const names = node ? node.nics.map((n) => (n.name.includes('.') ? n.name : `${node.name}.${n.name}`)) : [];
  const own = hop.record.fields['nic'];
  if (typeof own === 'string' && own) return [own, ...names.filter((n) => n !== own)];
  return names;
}

function Interrupts({ api, node }: { api: WebSessionApi; node: string }) {
  return <pre id="interrupts">{api.interrupts(node).join('\n')}</pre>;
}

function LinkCounts({ api, link }: { api: WebSessionApi; link: TopologyView['links'][number] }) {
  const c = api.counters().links[link.name];
  return (
    <p>
      link {link.name} ({link.kind}): {c?.frames ?? 0} frames, {c?.bytes ?? 0} bytes so far
    </p>
  );
}

function NodeState({ api, hop, topology }: { api: WebSessionApi; hop: HopView; topology: TopologyView }) {
  const nics = hopNics(hop, topology);
  const [chosen, setChosen] = useState<string | null>(null);
  const nic = chosen && nics.includes(chosen) ? chosen : nics[0];
  return (
    <>
      {nic ? (
        <Panel title={`NIC ${nic}`} class="hop-nic">
          {nics.length > 1 ? (
            <p class="nic-choice">
              {nics.map((n) => (
                <button type="button" key={n} aria-pressed={n === nic} onClick={() => setChosen(n)}>
                  {n}
                </button>
              ))}
            </p>
          ) : null}
          <NicById api={api} name={nic} />
        </Panel>
      ) : null}
      <Panel title={`Interrupt controllers of ${hop.device}`} class="hop-irq">
        <Interrupts api={api} node={hop.device} />
      </Panel>
    </>
  );
}

export function HopDetail(props: { api: WebSessionApi; hop: HopView; pkt: number; topology: TopologyView; version: number }) {
  const { api, hop, topology } = props;
  const atNode = topology.nodes.some((n) => n.name === hop.device);
  const link = atNode ? undefined : topology.links.find((l) => l.name === hop.device);
  return (
    <div class="hop-detail" id="hop-detail" data-selected-hop={hop.n}>
      <Panel title={`Hop ${hop.n}: ${hop.device} ${hop.layer}/${hop.probe} (${hop.direction}, ${hop.state})`} class="hop-where">
        <p>
          at {timeText(hop.t)}: <code>{fieldsLine(hop.record.fields)}</code>
        </p>
        {link ? <LinkCounts api={api} link={link} /> : null}
        {atNode && hop.state !== 'cursor' ? (
          <p class="note" id="hop-state-note">
            The NIC and interrupt controllers below are as they are now ({timeText(api.current().now)}), not at this hop: go there with
            next, back or run to time.
          </p>
        ) : null}
      </Panel>
      {atNode ? <NodeState key={hop.device} api={api} hop={hop} topology={topology} /> : null}
      <Panel title={`Packet ${props.pkt} by layer`} class="hop-packet">
        <PacketById api={api} pkt={props.pkt} />
      </Panel>
    </div>
  );
}
