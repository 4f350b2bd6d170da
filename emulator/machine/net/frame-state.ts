import { b64ToBytes, bytesToB64 } from '../sim/snapshot';
import type { Frame } from './link';

/** A frame in a snapshot: bytes as base64; the fault flags only when set. */
export interface FrameState {
  data: string;
  pktId: number;
  badFcs?: boolean;
  alignmentError?: boolean;
}

export function saveFrame(f: Frame): FrameState {
  const s: FrameState = { data: bytesToB64(f.data), pktId: f.pktId };
  if (f.badFcs) s.badFcs = true;
  if (f.alignmentError) s.alignmentError = true;
  return s;
}

export function loadFrame(s: FrameState): Frame {
  const data = b64ToBytes(s.data);
  if (s.badFcs && s.alignmentError) return { data, pktId: s.pktId, badFcs: true, alignmentError: true };
  if (s.badFcs) return { data, pktId: s.pktId, badFcs: true };
  if (s.alignmentError) return { data, pktId: s.pktId, alignmentError: true };
  return { data, pktId: s.pktId };
}
