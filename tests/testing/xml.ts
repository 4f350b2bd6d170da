/**
 * A small strict XML reader for the tests: elements, attributes, text, the five entities and numeric
 * references, the XML declaration. Throws on anything malformed (mismatched tags, bad attributes, stray
 * '<' or '&'), so a test that parses our JUnit output also checks that it is well-formed.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: number): string {
  return s.replace(/&([^;]*);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare '&' near offset ${where}`);
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    const v = ENTITIES[ent];
    if (v === undefined) throw new Error(`unknown entity ${m} near offset ${where}`);
    return v;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = xml.slice(i, lt < 0 ? xml.length : lt);
    if (chunk.trim()) {
      const top = stack[stack.length - 1];
      if (!top) throw new Error(`text outside the root element at ${i}`);
      top.text += decode(chunk, i);
    } else if (stack.length > 0) stack[stack.length - 1]!.text += chunk;
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> does not close <${open?.name}> at ${lt}`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)([\s\S]*)$/.exec(body);
    if (!m) throw new Error(`bad tag <${tag}> at ${lt}`);
    const attrs: Record<string, string> = {};
    const rest = m[2]!.trim();
    const re = /([A-Za-z_][\w.-]*)="([^"<]*)"\s*/y;
    let pos = 0;
    while (pos < rest.length) {
      re.lastIndex = pos;
      const a = re.exec(rest);
      if (!a) throw new Error(`bad attributes in <${m[1]}> at ${lt}: ${rest.slice(pos, pos + 40)}`);
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} at ${lt}`);
      attrs[a[1]!] = decode(a[2]!, lt);
      pos = re.lastIndex;
    }
    const el: XmlElement = { name: m[1]!, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root || stack.length > 0) throw new Error('more than one root element');
    if (selfClosing) {
      if (!parent) root = el;
    } else stack.push(el);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element with this name, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    out.push(...findAll(c, name));
  }
  return out;
}
