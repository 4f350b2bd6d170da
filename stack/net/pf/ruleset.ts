/**
 * The main anchor's rulesets and their load transactions (pf_ioctl.c pf_begin_rules, pf_commit_rules,
 * pf_rollback_rules, DIOCADDRULE's ticket check, DIOCGETRULES/DIOCGETRULE). DIOCXBEGIN opens an inactive copy
 * of each named ruleset under a new ticket; DIOCADDRULE appends to it and needs that ticket (EBUSY if another
 * DIOCXBEGIN took the ruleset since, as pf's per-ruleset inactive ticket makes stale ones fail); DIOCXCOMMIT
 * swaps every inactive copy in (rules get their numbers and skip steps) and the ticket becomes the rulesets'
 * active ticket, which DIOCGETRULES hands out and DIOCGETRULE checks. Rules of the old ruleset live on in
 * the states they created until those expire, as pf's rule references keep them.
 */
import { Errno } from '../../kernel/api';
import type { PfRule, PfRuleset } from '../../include/net/pfvar';
import { calcSkipSteps, checkRule, makeKRule, type KRule } from './rule';

export const RULESETS: readonly PfRuleset[] = ['filter', 'nat', 'rdr', 'binat'];

interface Inactive {
  ticket: number;
  rules: PfRule[];
}

export class Rulesets {
  readonly active: Record<PfRuleset, KRule[]> = { filter: [], nat: [], rdr: [], binat: [] };
  /** The filter rules pf_test_rule walks (pass/block, with their skip steps), and the scrub rules pf_normalize_ip walks. */
  filter: KRule[] = [];
  scrub: KRule[] = [];
  private readonly activeTicket: Record<PfRuleset, number> = { filter: 0, nat: 0, rdr: 0, binat: 0 };
  private readonly inactive: Partial<Record<PfRuleset, Inactive>> = {};
  /** The rulesets each open transaction named (DIOCXCOMMIT checks every one, all or nothing). */
  private readonly transactions = new Map<number, PfRuleset[]>();
  private tickets = 0;

  isRuleset(x: unknown): x is PfRuleset {
    return typeof x === 'string' && (RULESETS as readonly string[]).includes(x);
  }

  /** DIOCXBEGIN. */
  begin(rulesets: unknown): { ticket: number } | number {
    if (!Array.isArray(rulesets) || rulesets.length === 0 || !rulesets.every((r) => this.isRuleset(r))) return Errno.EINVAL;
    const ticket = ++this.tickets;
    for (const rs of rulesets as PfRuleset[]) this.inactive[rs] = { ticket, rules: [] };
    this.transactions.set(ticket, [...new Set(rulesets as PfRuleset[])]);
    // A transaction none of whose rulesets is still its own can never commit: forget it.
    for (const [t, rs] of this.transactions) if (rs.every((r) => this.inactive[r]?.ticket !== t)) this.transactions.delete(t);
    return { ticket };
  }

  /** DIOCADDRULE. Returns 0, or EBUSY (stale ticket), EINVAL (bad ruleset or rule: `why` says what). */
  add(ticket: unknown, ruleset: unknown, rule: unknown): { err: number; why?: string } {
    if (!this.isRuleset(ruleset)) return { err: Errno.EINVAL, why: `ruleset ${String(ruleset)}` };
    const ina = this.inactive[ruleset];
    if (!ina || ina.ticket !== ticket) return { err: Errno.EBUSY };
    const why = checkRule(ruleset, rule as PfRule);
    if (why) return { err: Errno.EINVAL, why };
    ina.rules.push(rule as PfRule);
    return { err: 0 };
  }

  /** The transaction's rulesets if every one is still its own (a later DIOCXBEGIN took none), else null. */
  private members(ticket: unknown): PfRuleset[] | null {
    const rs = typeof ticket === 'number' ? this.transactions.get(ticket) : undefined;
    if (!rs || rs.some((r) => this.inactive[r]?.ticket !== ticket)) return null;
    return rs;
  }

  /** DIOCXCOMMIT: every ruleset the transaction opened must still be its own (EBUSY otherwise, nothing changes). */
  commit(ticket: unknown): number {
    const mine = this.members(ticket);
    if (!mine) return Errno.EBUSY;
    this.transactions.delete(ticket as number);
    for (const rs of mine) {
      const ina = this.inactive[rs]!;
      this.active[rs] = ina.rules.map((r, i) => makeKRule(r, i));
      this.activeTicket[rs] = ina.ticket;
      delete this.inactive[rs];
      if (rs === 'filter') {
        this.filter = this.active.filter.filter((k) => k.r.action !== 'scrub');
        this.scrub = this.active.filter.filter((k) => k.r.action === 'scrub');
        calcSkipSteps(this.filter);
        calcSkipSteps(this.scrub);
      } else calcSkipSteps(this.active[rs]);
    }
    return 0;
  }

  /** DIOCXROLLBACK: the rulesets still the transaction's lose their inactive copy. */
  rollback(ticket: unknown): number {
    const rs = typeof ticket === 'number' ? this.transactions.get(ticket) : undefined;
    if (!rs) return Errno.EBUSY;
    this.transactions.delete(ticket as number);
    for (const r of rs) if (this.inactive[r]?.ticket === ticket) delete this.inactive[r];
    return 0;
  }

  /** DIOCGETRULES. */
  getRules(ruleset: unknown): { ticket: number; nr: number } | number {
    if (!this.isRuleset(ruleset)) return Errno.EINVAL;
    return { ticket: this.activeTicket[ruleset], nr: this.active[ruleset].length };
  }

  /** DIOCGETRULE: EBUSY for a ticket that is not the active one or a number past the end, as pf answers. */
  getRule(ticket: unknown, ruleset: unknown, nr: unknown): KRule | number {
    if (!this.isRuleset(ruleset)) return Errno.EINVAL;
    if (ticket !== this.activeTicket[ruleset]) return Errno.EBUSY;
    const k = typeof nr === 'number' ? this.active[ruleset][nr] : undefined;
    return k ?? Errno.EBUSY;
  }
}
