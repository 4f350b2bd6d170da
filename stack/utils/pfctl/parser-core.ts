/**
 * The machinery under pfctl's grammar (parse.y): one-token lookahead over the lexer, yyerror's located
 * messages (`file:line: message`, the line being that of the last token read, yylval.lineno), the two ways a
 * production fails — a syntax error (yacc prints "syntax error", unless it is still recovering from the last
 * one: three tokens must be shifted first) and YYERROR from an action (its own message, or none) — and the
 * recovery of `grammar error '\n'`: tokens are dropped up to the next newline and the file counts as bad.
 * check_rulestate's section order lives here too.
 */
import type { PfRule, PfRuleset, PfTable, PfTableAddr, PfTimeoutName } from '../../include/net/pfvar';
import { Lexer, isKw, isString, type Tok } from './lexer';
import type { PfIface } from './host';

/** A line pfctl writes while parsing: -v output (stdout) or a message (stderr). */
export interface PfOutLine {
  readonly text: string;
  readonly err: boolean;
}

export type PfOption =
  | { readonly kind: 'timeout'; readonly name: PfTimeoutName; readonly seconds: number }
  | { readonly kind: 'loginterface'; readonly ifname: string }
  | { readonly kind: 'debug'; readonly level: 'none' | 'urgent' | 'misc' | 'loud' };

export interface PfTableDef {
  readonly table: PfTable;
  readonly addrs: readonly PfTableAddr[];
}

/** What a pf.conf parse produces: everything pfctl would send, in file order, and what it printed. */
export interface PfConf {
  readonly options: PfOption[];
  readonly tables: PfTableDef[];
  readonly rules: { readonly ruleset: PfRuleset; readonly rule: PfRule }[];
  readonly out: PfOutLine[];
  /** parse_rules() < 0. */
  errors: boolean;
}

export interface ParseOptions {
  /** The name messages carry (infile: the -f argument, "stdin" for -). */
  readonly file: string;
  /** -v (1) prints rules, options and tables as parsed; -vv (2) also rule numbers. */
  readonly verbose: number;
  /** The node's interfaces (null: unknown, interface names are then not checked). */
  readonly ifaces: readonly PfIface[] | null;
  /** -D name=value macros (persistent: the file cannot redefine them). */
  readonly defines?: Readonly<Record<string, string>>;
}

/** PFCTL_STATE_*: the sections of a pf.conf in the order they must come. */
export const PFCTL_STATE = { NONE: 0, OPTION: 1, SCRUB: 2, QUEUE: 3, NAT: 4, FILTER: 5 } as const;

/** Thrown to unwind a production (YYERROR or a syntax error). */
export const ABORT = Symbol('yyabort');

export class ParserCore {
  readonly conf: PfConf = { options: [], tables: [], rules: [], out: [], errors: false };
  protected readonly lex: Lexer;
  private tok: Tok | null = null;
  private errflag = 0;
  private readonly macros = new Map<string, { val: string; persist: boolean }>();
  rulestate: number = PFCTL_STATE.NONE;
  blockpolicy: 'drop' | 'return' = 'drop';
  requireOrder = true;
  /** pf->rule_nr ($nr in labels). */
  ruleNr = 0;

  constructor(
    text: string,
    readonly opts: ParseOptions,
  ) {
    this.lex = new Lexer(text, (n) => this.macros.get(n)?.val ?? null, (e) => this.emitAt(e.line, e.msg));
    for (const [k, v] of Object.entries(opts.defines ?? {})) this.macros.set(k, { val: v, persist: true });
  }

  /** symset(): a persistent (-D) macro is not redefined. */
  symset(name: string, val: string): void {
    if (this.macros.get(name)?.persist) return;
    this.macros.set(name, { val, persist: false });
  }

  peek(): Tok {
    if (!this.tok) this.tok = this.lex.next();
    return this.tok;
  }

  next(): Tok {
    const t = this.peek();
    this.tok = null;
    if (this.errflag > 0) this.errflag--;
    return t;
  }

  /** yylval.lineno: the line of the last token read. */
  line(): number {
    return this.lex.lastLine;
  }

  print(text: string): void {
    this.conf.out.push({ text, err: false });
  }

  private emitAt(line: number, msg: string): void {
    this.conf.errors = true;
    this.conf.out.push({ text: `${this.opts.file}:${line}: ${msg}\n`, err: true });
  }

  /** A message on stderr without a location (pfctl_parser.c's fprintf(stderr, …)). */
  warn(msg: string): void {
    this.conf.out.push({ text: `${msg}\n`, err: true });
  }

  yyerror(msg: string): void {
    this.emitAt(this.line(), msg);
  }

  /** yyerror + YYERROR. */
  fail(msg: string): never {
    this.yyerror(msg);
    throw ABORT;
  }

  /** YYERROR with no message of its own (the file still counts as bad). */
  abort(): never {
    throw ABORT;
  }

  /** The parser met a token no production takes. */
  syntax(): never {
    if (this.errflag === 0) this.yyerror('syntax error');
    throw ABORT;
  }

  /** `grammar error '\n'`: drop tokens through the next newline. */
  recover(): void {
    this.conf.errors = true;
    for (;;) {
      const t = this.tok ?? this.lex.next();
      this.tok = null;
      if (t.t === 'nl' || t.t === 'eof') break;
    }
    this.errflag = 2;
  }

  isPunct(c: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === c;
  }

  acceptPunct(c: string): boolean {
    if (!this.isPunct(c)) return false;
    this.next();
    return true;
  }

  expectPunct(c: string): void {
    if (!this.acceptPunct(c)) this.syntax();
  }

  isKw(k: string): boolean {
    return isKw(this.peek(), k);
  }

  acceptKw(k: string): boolean {
    if (!this.isKw(k)) return false;
    this.next();
    return true;
  }

  expectKw(k: string): void {
    if (!this.acceptKw(k)) this.syntax();
  }

  /** A STRING token's text. */
  string(): string {
    const t = this.peek();
    if (!isString(t)) this.syntax();
    this.next();
    return t.v;
  }

  isString(): boolean {
    return isString(this.peek());
  }

  /** `number: STRING` (atoul, base 0). */
  number(): number {
    const s = this.string();
    const n = /^0[xX][0-9a-fA-F]+$/.test(s) ? parseInt(s, 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^[1-9]\d*$/.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(n)) this.fail(`${s} is not a number`);
    return n;
  }

  /** `comma: ',' | empty`. */
  comma(): void {
    this.acceptPunct(',');
  }

  endOfLine(): void {
    const t = this.peek();
    if (t.t === 'nl') this.next();
    else if (t.t !== 'eof') this.syntax();
  }

  checkRulestate(desired: number): void {
    if (this.requireOrder && this.rulestate > desired) this.fail('Rules must be in order: options, normalization, queueing, translation, filtering');
    this.rulestate = desired;
  }

  /** A construct real pfctl takes but this lsm-pf's interface (pfvar.ts) has no field for. */
  unsupported(what: string): never {
    this.fail(`${what} is not supported by this lsm-pf`);
  }
}
