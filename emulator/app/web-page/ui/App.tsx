/**
 * The debugger page: one session (WebSessionApi), the stop it is at, the packet in focus, the selected hop and
 * whatever the user picked in the topology. Every control goes through `apply`, which runs one session call
 * and refreshes the rest; the panels read the session themselves (all calls are synchronous and cheap).
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { HopView, PathView, StopView, WebSessionApi } from '../core/api';
import { Breakpoints } from './Breakpoints';
import { CommandBox } from './CommandBox';
import { Consoles } from './Consoles';
import { Controls } from './Controls';
import { FailureBanner } from './FailureBanner';
import { Header } from './Header';
import { Help, KeysLine } from './Help';
import { HopDetail } from './HopDetail';
import { actionFor, type KeyAction } from './keys';
import { Guard, Panel } from './Panel';
import { Selection, type Picked } from './Selection';
import { Sequence } from './Sequence';
import { oneLine } from './text';
import { Timeline } from './Timeline';
import { Topology } from './Topology';
import { usePlayer } from './usePlayer';

/** The hop the detail panel shows: the one clicked, else the cursor's, else the last one that has happened. */
export function shownHop(path: PathView | null, picked: number | null): HopView | null {
  if (!path) return null;
  const hops = path.hops;
  return (
    hops.find((h) => h.n === picked) ??
    hops.find((h) => h.state === 'cursor') ??
    [...hops].reverse().find((h) => h.state === 'past') ??
    hops[0] ??
    null
  );
}

export function App({ api }: { api: WebSessionApi }) {
  const info = useMemo(() => api.info(), [api]);
  const topology = useMemo(() => api.topology(), [api]);
  const [stop, setStop] = useState<StopView>(() => api.current());
  const [version, setVersion] = useState(0);
  const [focus, setFocus] = useState(() => api.focusPacket());
  const [pickedHop, setPickedHop] = useState<number | null>(null);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [help, setHelp] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Run one session call that moves the session; refresh everything that depends on where it stopped. */
  const apply = useCallback(
    (move: () => StopView): StopView | null => {
      try {
        const s = move();
        setStop(s);
        setFocus(api.focusPacket());
        setPickedHop(null);
        setVersion((v) => v + 1);
        setError(null);
        return s;
      } catch (e) {
        setError(oneLine(e));
        return null;
      }
    },
    [api],
  );
  const [speed, setSpeed] = useState(1);
  const player = usePlayer(() => apply(() => api.step(speed)));

  const act = (a: KeyAction): void => {
    if (a !== 'play' && a !== 'help' && a !== 'close') player.pause();
    switch (a) {
      case 'step': apply(() => api.step(1)); break;
      case 'back': apply(() => api.back(1)); break;
      case 'next': apply(() => api.next()); break;
      case 'continue': apply(() => api.continue()); break;
      case 'restart': apply(() => api.restart()); break;
      case 'play': player.toggle(); break;
      case 'help': setHelp((h) => !h); break;
      case 'close': setHelp(false); break;
    }
  };
  const actRef = { current: act };
  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      const a = actionFor(ev);
      if (!a) return;
      ev.preventDefault();
      actRef.current(a);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const focusPacket = (pkt: number): void => {
    if (pkt <= 0) return;
    // The REPL's `path N` also makes N the session's focused packet (what `next` follows off a packet record).
    try {
      api.command(`path ${pkt}`);
    } catch {
      /* the path panel shows the error */
    }
    setFocus(pkt);
    setPickedHop(null);
  };

  let path: PathView | null = null;
  let pathError: string | null = null;
  if (focus > 0) {
    try {
      path = api.path(focus);
    } catch (e) {
      pathError = oneLine(e);
    }
  }
  const hop = shownHop(path, pickedHop);

  return (
    <div class="app">
      <Header info={info} stop={stop} api={api} onHelp={() => setHelp((h) => !h)} />
      {info.failure ? <FailureBanner failure={info.failure} /> : null}
      <Controls
        stop={stop}
        playing={player.playing}
        speed={speed}
        onSpeed={setSpeed}
        error={error}
        onAction={act}
        onRunUntil={(t) => {
          player.pause();
          apply(() => api.runUntil(t));
        }}
      />
      <div class="main">
        <div class="col col-left">
          <Panel title="Timeline" class="timeline-panel">
            <Timeline api={api} version={version} cursor={stop.cursor?.index ?? null} focus={focus} onFocus={focusPacket} />
          </Panel>
        </div>
        <div class="col col-mid">
          <Panel title={path ? `Packet ${path.pkt}: ${path.summary}` : 'Packet path'} class="sequence-panel">
            {pathError ? <p class="error" role="alert">{pathError}</p> : <Sequence path={path} selected={hop?.n ?? null} onSelect={setPickedHop} />}
          </Panel>
          {hop && path ? (
            <Guard name="Hop">
              <HopDetail api={api} hop={hop} pkt={path.pkt} topology={topology} version={version} />
            </Guard>
          ) : null}
        </div>
        <div class="col col-right">
          <Panel title="Topology" class="topology-panel">
            <Topology api={api} topology={topology} version={version} picked={picked} onPick={setPicked} />
          </Panel>
          {picked ? (
            <Guard name="Selection">
              <Selection api={api} picked={picked} version={version} onFocus={focusPacket} onClose={() => setPicked(null)} />
            </Guard>
          ) : null}
          <Guard name="Breakpoints">
            <Breakpoints api={api} version={version} />
          </Guard>
          <CommandBox api={api} onRan={() => apply(() => api.current())} />
          <Guard name="Consoles">
            <Consoles api={api} version={version} />
          </Guard>
        </div>
      </div>
      <KeysLine />
      {help ? <Help onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
