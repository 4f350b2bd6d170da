/**
 * Where a YAML syntax error is. The `yaml` parser reports an unclosed quoted string or flow collection
 * (`"abc…`, `{ model: …`, `[1, 2…`) where it gave up looking for the closing character — often past the
 * last line of the file. The problem is where the string or collection was opened: that is the position
 * reported, and the message says what runs on to where.
 *
 * Aliases fail later, when the document becomes data (`toJS`), with a bare ReferenceError: an alias whose
 * anchor is not set before it (YAML 1.2 §3.2.2.2: an alias refers to the most recent preceding node with that
 * anchor), and aliases that expand past the `yaml` package's `maxAliasCount` (100), its guard against
 * "billion laughs" documents. `yamlData` reports both at the alias (found by fuzz/parser/scenario.ts).
 */
import { isCollection, isScalar, visit, type Alias, type Document, type LineCounter, type YAMLError } from 'yaml';
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

/** The document as plain data; an alias that cannot be expanded is a located error at the alias. */
export function yamlData(doc: Document, lc: LineCounter, file: string): unknown {
  try {
    return doc.toJS();
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_k, node) => void aliases.push(node) });
    // The alias with no anchor before it, if that is the problem; else the first alias (where expansion starts).
    const at = aliases.find((a) => a.resolve(doc) === undefined) ?? aliases[0];
    const range = (at as { range?: [number, number, number] } | undefined)?.range;
    const pos = lc.linePos(range ? range[0] : 0);
    const what =
      at && at.resolve(doc) === undefined
        ? `alias *${at.source} has no anchor &${at.source} before it`
        : `${e.message} (aliases expand to too many nodes; write the values out)`;
    throw new LocatedError(file, pos.line, pos.col, `YAML: ${what}`);
  }
}
