/**
 * `npm run bench`: the CPU cost of CCMP per frame on the QNX side, with devnp-ral's RT2560 cipher engine
 * registered with io-pkt-v4-hc's crypto API against the stack's software provider (`-d ral nohwcrypto`), in virtual
 * µs of io-pkt CPU time (every thread of the io-pkt process: the stack context and the driver's interrupt thread).
 *
 * The scenario (scripts/scenarios/bench-rt2560-ccmp.yaml) runs three times: as written (engine), with `nohwcrypto`
 * (software), and as an open network (no hostapd/wpa_supplicant, the SSID set by ifconfig). Over the stream's
 * second each node's io-pkt CPU time is divided by the 1472-byte datagrams the AP's driver received; CCMP's cost per
 * frame is that figure less the open network's. The station encrypts (TX), the AP decrypts (RX). Figures:
 * `ccmp-station-engine`, `ccmp-station-software`, `ccmp-ap-engine`, `ccmp-ap-software` (scripts/bench-line.ts).
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import type { Scenario } from '../emulator/app/scenario/types';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble, type Assembled } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { CryptoCost, swAesCcmCost } from '../stack/crypto/costs';
import { benchLine } from './bench-line';

const FILE = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-rt2560-ccmp.yaml');
const SEC = 1_000_000_000;
const STREAM_START = 6 * SEC;
/** 200 datagrams at 200/s from 6 s; 200 ms more for the last one's way through both stacks. */
const STREAM_END = 7.2 * SEC;
/** An MPDU of a 1472-byte datagram is at least 24 + 8 (LLC/SNAP) + 20 + 8 + 1472 = 1532 bytes (+16 with CCMP). */
const MIN_LEN = 1532;
/** CCMP's payload of such a frame: LLC/SNAP + IP + UDP + data (802.11-2016 12.5.3.3.1: the MSDU after the header). */
const CCMP_PAYLOAD = 8 + 20 + 8 + 1472;

export type CcmpVariant = 'engine' | 'software' | 'open';

/** The benchmark scenario as one of its three variants (script lines rewritten; files and actions kept). */
export function ccmpScenario(variant: CcmpVariant, file = FILE): Scenario {
  const sc = loadScenarioFile(file);
  const rewrite = (text: string): string | null => {
    if (variant === 'software' && /^\s*io-pkt-v4-hc -d ral\s*$/.test(text)) return `${text.trimEnd()} nohwcrypto`;
    if (variant === 'open') {
      if (/^\s*(hostapd|wpa_supplicant)\b/.test(text)) return null;
      if (/^\s*ifconfig ral0 /.test(text)) return text.replace('ifconfig ral0 ', 'ifconfig ral0 ssid qnxbench ');
    }
    return text;
  };
  return {
    ...sc,
    nodes: sc.nodes.map((n) => ({
      ...n,
      script: n.script.flatMap((l) => {
        const t = rewrite(l.text);
        return t === null ? [] : [{ ...l, text: t }];
      }),
    })),
  };
}

function ioPktCpuNs(a: Assembled, node: string): number {
  const k = a.nodes.find((n) => n.name === node)?.kernel;
  if (!k) throw new Error(`${node} has no kernel`);
  return k.processes.filter((p) => p.name.startsWith('io-pkt')).reduce((s, p) => s + p.threads.reduce((t, th) => t + th.cpuTimeNs, 0), 0);
}

export interface CcmpRun {
  variant: CcmpVariant;
  frames: number;
  /** io-pkt CPU ns per received datagram frame over the stream, per node. */
  apNsPerFrame: number;
  staNsPerFrame: number;
  /** Crypto dispatches on each node over the stream, by engine name. */
  engines: Record<string, number>;
}

export function runCcmp(variant: CcmpVariant): CcmpRun {
  const sc = ccmpScenario(variant);
  const a = assemble(sc);
  inject(a, sc);
  a.sim.queue.runUntil(STREAM_START);
  let frames = 0;
  const engines: Record<string, number> = {};
  a.sim.tracer.addSink((rec) => {
    if (rec.node === 'ap' && rec.layer === 'driver' && rec.probe === 'rx' && Number(rec.f?.['len']) >= MIN_LEN) frames++;
    if (rec.layer === 'crypto' && rec.probe === 'dispatch') {
      const k = `${rec.node}:${String(rec.f?.['engine'])}`;
      engines[k] = (engines[k] ?? 0) + 1;
    }
  });
  const ap0 = ioPktCpuNs(a, 'ap');
  const sta0 = ioPktCpuNs(a, 'sta');
  a.sim.queue.runUntil(STREAM_END);
  const ap = ioPktCpuNs(a, 'ap') - ap0;
  const sta = ioPktCpuNs(a, 'sta') - sta0;
  a.close();
  const per = (ns: number): number => (frames > 0 ? ns / frames : NaN);
  return { variant, frames, apNsPerFrame: per(ap), staNsPerFrame: per(sta), engines };
}

/** The bench lines: CCMP's cost per frame on each side, offloaded and in software (virtual µs). */
export function benchCcmp(): string[] {
  const open = runCcmp('open');
  const hw = runCcmp('engine');
  const sw = runCcmp('software');
  const us = (ns: number): number => ns / 1000;
  const eng = (r: CcmpRun): string => Object.entries(r.engines).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const table = CryptoCost.CRYPTO_DISPATCH_NS + swAesCcmCost(CCMP_PAYLOAD);
  const what =
    'virtual µs of io-pkt CPU per 1472-byte datagram frame beyond an open network; QNX station -> QNX AP, RT2560/devnp-ral, WPA2-PSK, io-pkt-v4-hc';
  const frames = `frames: open ${open.frames}, engine ${hw.frames}, software ${sw.frames}`;
  return [
    benchLine('ccmp-station-engine', us(hw.staNsPerFrame - open.staNsPerFrame), 'µs', `station encrypts on the RT2560 cipher engine; ${what}; crypto dispatches ${eng(hw)}`, 1),
    benchLine('ccmp-station-software', us(sw.staNsPerFrame - open.staNsPerFrame), 'µs', `station encrypts with the software provider (nohwcrypto); crypto dispatches ${eng(sw)}`, 1),
    benchLine('ccmp-ap-engine', us(hw.apNsPerFrame - open.apNsPerFrame), 'µs', `AP decrypts on the cipher engine; ${frames}`, 1),
    benchLine(
      'ccmp-ap-software',
      us(sw.apNsPerFrame - open.apNsPerFrame),
      'µs',
      `AP decrypts in software; software cost table: ${us(table).toFixed(1)} µs for the ${CCMP_PAYLOAD}-byte payload; ` +
        `open network ${us(open.staNsPerFrame).toFixed(1)}/${us(open.apNsPerFrame).toFixed(1)} µs per frame (station/AP)`,
      1,
    ),
  ];
}
