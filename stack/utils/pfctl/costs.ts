/**
 * CPU pfctl spends of its own (the ioctls are charged by the message passes and by lsm-pf). pfctl's parser is a
 * yacc LALR automaton over a character-at-a-time lexer (lgetc/yylex): about 40 instructions per input byte for
 * lexing, keyword bsearch and the parse actions, ≈ 20 ns per byte at the ~2 instructions/ns of the simulated
 * x86 CPU. expand_rule builds, checks (rule_consistent) and copies a ~3 KB struct pf_rule per combination:
 * ≈ 4000 instructions, ≈ 2 µs per rule.
 */
export const PFCTL_PARSE_NS_PER_BYTE = 20;
export const PFCTL_RULE_NS = 2000;
