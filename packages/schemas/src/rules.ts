import type { Severity } from './issues.js';
import { RULE_TEXT } from './rule-text.js';

export interface RuleInfo {
  id: string;
  appliesTo: string;
  summary: string;
  severity: Severity;
  /** true when this package checks the rule; false for descriptive or server-side rules. */
  enforced: boolean;
}

/** Rules this package reports as errors. */
export const ENFORCED_ERROR_RULES: readonly string[] = [
  'R1',
  'R2',
  'R3',
  'R4',
  'R7',
  'R8',
  'R9',
  'R10',
  'R11',
  'R13',
  'R14',
  'R15',
  'R16',
  'R17',
  'R18',
  'R19',
  'R20',
  'R23',
  'R24',
  'R29',
  'R30',
  'R33',
  'R35',
  'R36',
  'R38',
  'R39',
  'R41',
  'R42',
  'R44',
  'R50',
  'R74',
  'R75',
  'R77',
  'R78',
  'R86',
  'R90',
  'R91',
  'R92',
  'R93',
  'R94',
  'R96',
];
/** Advisory rules: reported as warnings, never blocking. (R1 is also a warning for SETTLED without authorizationDate.) */
export const ENFORCED_WARNING_RULES: readonly string[] = ['R5', 'R6', 'R21', 'R25', 'R46', 'R48'];

const errors = new Set(ENFORCED_ERROR_RULES);
const warnings = new Set(ENFORCED_WARNING_RULES);

/** The full rule table R1–R106 as data, e.g. for `kard rules` (rendered for readers in RULES.md). */
export const rules: readonly RuleInfo[] = Object.freeze(
  RULE_TEXT.map(([id, appliesTo, summary]) =>
    Object.freeze({
      id,
      appliesTo,
      summary,
      severity: warnings.has(id) ? ('warning' as const) : ('error' as const),
      enforced: errors.has(id) || warnings.has(id),
    }),
  ),
);

export function getRule(id: string): RuleInfo | undefined {
  return rules.find((r) => r.id === id);
}
