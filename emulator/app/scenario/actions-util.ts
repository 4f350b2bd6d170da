/**
 * Shared pieces of the timed parts of a scenario file (actions, faults, expectations): schema fragments,
 * duration conversion, and the context the semantic checks run in. Every problem is reported through
 * `locate`, which points at the file, line and column of the offending field.
 */
import { parseDuration, type Time } from '../../machine/sim/time';
import type { LocatedError } from './errors';
import type { LinkSpec, NodeSpec } from './types';

export const durationSchema = { type: ['string', 'integer'], pattern: '^\\d+(\\.\\d+)?\\s*(ns|us|ms|s|m)?$' };
export const nameSchema = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' };
export const ipv4Schema = { type: 'string', pattern: '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$' };
export const opSchema = { enum: ['==', '!=', '<', '<=', '>', '>='] };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type PathSeg = string | number;
export type Locate = (path: PathSeg[], problem: string) => LocatedError;

/** What the semantic checks of actions, faults and expectations need from the rest of the file. */
export interface TimelineContext {
  locate: Locate;
  nodes: NodeSpec[];
  links: LinkSpec[];
  /** The scenario's end time. */
  until: Time;
  /** The nodes as written (to see a node's `kind` without depending on NodeSpec fields). */
  rawNodes: Record<string, { kind?: string } | undefined>;
}

/** A duration field: integer nanoseconds, or text such as "2s", "250ms", "10us". */
export function toNs(v: string | number): Time {
  return typeof v === 'number' ? v : (parseDuration(v) ?? 0);
}

/** "field.path" as the error messages name it. */
export function fieldName(path: PathSeg[]): string {
  return path.join('.');
}

/** The node must exist; `qnxOnly` also requires a simulated QNX node (one that runs commands). */
export function checkNode(ctx: TimelineContext, path: PathSeg[], node: string, qnxOnly: boolean): NodeSpec {
  const spec = ctx.nodes.find((n) => n.name === node);
  if (!spec) throw ctx.locate(path, `${fieldName(path)}: no node named '${node}' (nodes: ${ctx.nodes.map((n) => n.name).join(', ')})`);
  const kind = ctx.rawNodes[node]?.kind ?? 'qnx';
  if (qnxOnly && kind !== 'qnx') throw ctx.locate(path, `${fieldName(path)}: node '${node}' is a ${kind} node; this needs a simulated QNX node`);
  return spec;
}

export function checkLink(ctx: TimelineContext, path: PathSeg[], link: string): LinkSpec {
  const spec = ctx.links.find((l) => l.name === link);
  if (!spec) throw ctx.locate(path, `${fieldName(path)}: no link named '${link}' (links: ${ctx.links.map((l) => l.name).join(', ')})`);
  return spec;
}

/** `at` (default 0) must fall inside the run; `until`, when given, after `at`. */
export function checkWindow(ctx: TimelineContext, path: PathSeg[], at: Time, until: Time | null): void {
  if (at > ctx.until) throw ctx.locate([...path, 'at'], `${fieldName([...path, 'at'])}: ${fmt(at)} is after the end of the run (until: ${fmt(ctx.until)})`);
  if (until !== null && until <= at) throw ctx.locate([...path, 'until'], `${fieldName([...path, 'until'])}: ${fmt(until)} is not after at (${fmt(at)})`);
}

/** A duration for messages: "2s", "1.5ms", "300us", "42ns". */
export function fmt(t: Time): string {
  if (t !== 0 && t % 1_000_000_000 === 0) return `${t / 1_000_000_000}s`;
  if (t >= 1_000_000) return `${+(t / 1_000_000).toFixed(6)}ms`;
  if (t >= 1_000) return `${+(t / 1_000).toFixed(3)}us`;
  return `${t}ns`;
}

export function compare(actual: number, op: CompareOp, expected: number): boolean {
  switch (op) {
    case '==': return actual === expected;
    case '!=': return actual !== expected;
    case '<': return actual < expected;
    case '<=': return actual <= expected;
    case '>': return actual > expected;
    case '>=': return actual >= expected;
  }
}
