import type { RuleInfo } from './rules.js';

/** The command that rewrites RULES.md; named in the file and in the test that keeps it current. */
export const RULES_MD_COMMAND = 'pnpm --filter @kardkit/schemas rules:md';

/** A table cell: one line, with the characters that would break a GitHub table row escaped. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/\s*\n\s*/g, ' ');
}

/** RULES.md, the rule table R1–R106 for readers of the repository, rendered from `rules`. */
export function renderRulesMarkdown(table: readonly RuleInfo[]): string {
  const count = (pick: (r: RuleInfo) => boolean) => table.filter(pick).length;
  const errors = count((r) => r.enforced && r.severity === 'error');
  const warnings = count((r) => r.enforced && r.severity === 'warning');
  const lines = [
    '<!-- Generated from packages/schemas/src/rule-text.ts and src/rules.ts; do not edit by hand. -->',
    `<!-- Rewrite with: ${RULES_MD_COMMAND} -->`,
    '',
    '# Kard API rules',
    '',
    `The documented rules of the Kard rewards API (${table.length} in all), with the ids that`,
    'kardkit uses everywhere: in validation issues (`[R2]`), in `kard rules`, in code comments and in',
    '`openapi/kard.yaml` descriptions. The same table is exported as data by `@kardkit/schemas`',
    '(`rules`, `getRule(id)`).',
    '',
    `- **Enforced**: checked by \`@kardkit/schemas\` (and so by the SDK, the mock server, the CLI and the sample): ${errors} as errors, ${warnings} as warnings.`,
    `- **Not enforced** (${table.length - errors - warnings}): server state, lifecycles, responses or behaviour that a request body alone cannot show; Kard applies or describes them.`,
    '- **Severity** (enforced rules): an error rejects the request or the batch item; a warning is advice and never blocks.',
    '',
    '| Id | Applies to | Rule | Severity | Enforced |',
    '| -- | ---------- | ---- | -------- | -------- |',
    ...table.map(
      (r) =>
        `| ${cell(r.id)} | ${cell(r.appliesTo)} | ${cell(r.summary)} | ${r.enforced ? r.severity : '—'} | ${r.enforced ? 'yes' : 'no'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
