/**
 * JUnit XML for CI (the Jenkins/GitLab/GitHub flavour: testsuites > testsuite > testcase). One testcase per
 * scenario file: `failure` when an expectation failed (message: every failed expectation with expected and
 * actual), `error` when the file could not be loaded or run (message: file:line:col: problem; type
 * "interrupted" when Ctrl-C or a timeout stopped the suite first: "interrupted (SIGINT) before it finished"). system-out
 * carries the seed, trace hash, what the faults did and where the artifacts are.
 */
import * as path from 'node:path';
import type { ScenarioOutcome } from './outcome';
import { isInterrupted } from './interrupted';

export interface JunitOptions {
  /** Suite name (default "qnxemu"). */
  suite?: string;
  /** Paths in classnames are relative to this folder (default: the current directory). */
  root?: string;
  /** ISO timestamp of the run (the CLI passes the wall clock; tests pass a constant). */
  timestamp?: string;
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Element text: like attributes but newlines stay newlines. */
function text(s: string): string {
  return xmlEscape(s).replace(/&#10;/g, '\n');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

export function classnameOf(file: string, root: string): string {
  const rel = path.relative(root, path.resolve(file)) || path.basename(file);
  return rel.replace(/\.ya?ml$/, '').split(path.sep).join('.');
}

export function junitXml(outcomes: ScenarioOutcome[], opts: JunitOptions = {}): string {
  const root = opts.root ?? process.cwd();
  const suite = opts.suite ?? 'qnxemu';
  const failures = outcomes.filter((o) => o.status === 'failed').length;
  const errors = outcomes.filter((o) => o.status === 'error').length;
  const total = outcomes.reduce((s, o) => s + o.wallMs, 0);
  const stamp = opts.timestamp ? ` timestamp="${xmlEscape(opts.timestamp)}"` : '';
  const counts = `tests="${outcomes.length}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(total)}"`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" ${counts}>`,
    `  <testsuite name="${xmlEscape(suite)}" ${counts}${stamp}>`,
  ];
  for (const o of outcomes) {
    const attrs = `name="${xmlEscape(o.name)}" classname="${xmlEscape(classnameOf(o.file, root))}" file="${xmlEscape(o.file)}" time="${secs(o.wallMs)}"`;
    out.push(`    <testcase ${attrs}>`);
    if (o.status === 'failed') {
      const n = o.failures.length;
      out.push(`      <failure type="expectation" message="${xmlEscape(o.failures.join('\n'))}">${text(`${n} problem(s):\n${o.failures.join('\n')}`)}</failure>`);
    } else if (o.status === 'error') {
      const msg = o.error ?? 'unknown error';
      // A scenario an interrupt left unfinished (Ctrl-C, a CI timeout: interrupted.ts) is an error of its own type.
      const type = isInterrupted(o) ? 'interrupted' : 'scenario';
      out.push(`      <error type="${type}" message="${xmlEscape(msg.split('\n')[0]!)}">${text(msg)}</error>`);
    }
    out.push(`      <system-out>${text(systemOut(o))}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}

function systemOut(o: ScenarioOutcome): string {
  const lines: string[] = [];
  if (o.traceHash) lines.push(`seed ${o.seed}, ${(o.virtualTime / 1e9).toFixed(6)} s virtual, ${o.events} events, trace-hash ${o.traceHash}`);
  for (const e of o.expectations) lines.push(`${e.ok ? 'ok  ' : 'FAIL'} expect[${e.index}] ${e.label}: ${e.actual}`);
  lines.push(...o.faultNotes);
  for (const a of o.artifacts) lines.push(`artifact ${a}`);
  return lines.join('\n');
}
