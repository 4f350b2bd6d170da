/**
 * The page's header: scenario, seed, the virtual-time cursor, whether the guests ran in worker threads (a threaded
 * run's replay: id="guest-threads"), the run's trace-hash (id="trace-hash", equal to `qnxemu run`'s for the same
 * scenario and seed) and the pcap download of the frames carried so far.
 */
import type { SessionInfo, StopView, WebSessionApi } from '../core/api';
import { downloadBytes } from './download';
import { timeText } from './format';

export function Header({ info, stop, api, onHelp }: { info: SessionInfo; stop: StopView; api: WebSessionApi; onHelp: () => void }) {
  return (
    <header class="header">
      <h1>
        <span class="scenario" id="scenario-name">{info.scenario}</span>
        <span class="file">{info.file}</span>
      </h1>
      <dl class="facts">
        <dt>seed</dt>
        <dd id="seed">{info.seed}</dd>
        <dt>time</dt>
        <dd id="time-cursor">{timeText(stop.now)}</dd>
        <dt>event</dt>
        <dd id="event-count">
          #{stop.executed} of {info.events}
        </dd>
        {info.threads !== null ? (
          <>
            <dt>guests</dt>
            <dd id="guest-threads" title="qnxemu web ran the guests once in worker threads, as qnxemu run does, and recorded what they sent; the page replays that run">
              in {info.threads === 1 ? 'a worker thread' : `worker threads (--threads ${info.threads})`}, replayed
            </dd>
          </>
        ) : null}
        <dt>trace-hash</dt>
        <dd>
          <code id="trace-hash" title="SHA-256 of the run's trace records: equals `qnxemu run`'s">
            {info.traceHash}
          </code>
        </dd>
      </dl>
      <button type="button" id="download-pcap" onClick={() => downloadBytes(api.pcap(), `${info.scenario}.pcap`)}>
        Download pcap
      </button>
      <button type="button" id="help-button" aria-label="keyboard help" onClick={onHelp}>
        ?
      </button>
    </header>
  );
}
