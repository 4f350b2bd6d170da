/**
 * Where a YAML syntax error is. The `yaml` parser reports an unclosed quoted string or flow collection
 * (`"abc…`, `{ model: …`, `[1, 2…`) where it gave up looking for the closing character — often past the
 * last line of the file. The problem is where the string or collection was opened: that is the position
 * reported, and the message says what runs on to where.
 */
import { isCollection, isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import { LocatedError } from './errors';

export function yamlSyntaxError(err: YAMLError, doc: Document, lc: LineCounter, text: string, file: string): LocatedError {
  const at = err.pos[0];
  const message = `YAML: ${err.message.split('\n')[0]}`;
  const pastEnd = at >= text.trimEnd().length;
  if (err.code === 'MISSING_CHAR' || err.code === 'BAD_INDENT' || pastEnd) {
    const open = opener(doc, at);
    if (open !== null) {
      const pos = lc.linePos(open);
      const where = pastEnd ? 'the end of the file' : `line ${lc.linePos(at).line}`;
      return new LocatedError(file, pos.line, pos.col, `${message} (opened here, unclosed up to ${where})`);
    }
  }
  // No opener found: report where the parser stopped, but never past the file's last line.
  const pos = lc.linePos(Math.min(at, Math.max(0, text.trimEnd().length - 1)));
  return new LocatedError(file, pos.line, pos.col, message);
}

/** Start of the innermost quoted scalar or flow collection that begins before `at` and runs on to it. */
function opener(doc: Document, at: number): number | null {
  let best: number | null = null;
  visit(doc, (_key, node) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return;
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
    const flow = isCollection(node) && node.flow === true;
    if ((quoted || flow) && range[0] < at && range[1] >= at && (best === null || range[0] > best)) best = range[0];
  });
  return best;
}
