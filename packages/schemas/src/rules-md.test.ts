import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RuleInfo } from './rules.js';
import { rules } from './rules.js';
import { RULES_MD_COMMAND, renderRulesMarkdown } from './rules-md.js';

const onDisk = readFileSync(new URL('../RULES.md', import.meta.url), 'utf8');

describe('RULES.md', () => {
  it('is the rule table as it stands (rewrite it with the rules:md script)', () => {
    expect(onDisk, `RULES.md is out of date with the rule table: run ${RULES_MD_COMMAND}`).toBe(
      renderRulesMarkdown(rules),
    );
  });

  it('has one row per rule with id, applies to, summary, severity and enforced', () => {
    const rows = onDisk.split('\n').filter((line) => /^\| R\d+ \|/.test(line));
    expect(rows).toHaveLength(106);
    expect(rows[1]).toBe(
      '| R2 | TransactionsAttributes (v2 transaction, historicalTransaction) and legacy IncomingTransactionRequest (status, settledDate) | settledDate required when status = SETTLED | error | yes |',
    );
    expect(rows[4]).toMatch(/^\| R5 \| .* \| warning \| yes \|$/);
    expect(rows[39]).toMatch(/^\| R40 \| .* \| — \| no \|$/);
  });

  it('counts enforced errors, enforced warnings and the rest', () => {
    const errors = rules.filter((r) => r.enforced && r.severity === 'error').length;
    const warnings = rules.filter((r) => r.enforced && r.severity === 'warning').length;
    expect(onDisk).toContain(`${errors} as errors, ${warnings} as warnings`);
    expect(onDisk).toContain(`**Not enforced** (${106 - errors - warnings})`);
    expect(onDisk).toContain(`(${rules.length} in all)`);
  });

  it('keeps a table row intact whatever the text holds', () => {
    const odd: RuleInfo = {
      id: 'R0',
      appliesTo: 'a | b',
      summary: 'x <y> \\ z\n  next line',
      severity: 'warning',
      enforced: false,
    };
    const row = renderRulesMarkdown([odd])
      .split('\n')
      .find((line) => line.startsWith('| R0 '));
    expect(row).toBe('| R0 | a \\| b | x &lt;y> \\\\ z next line | — | no |');
    expect(renderRulesMarkdown([odd])).toContain('0 as errors, 0 as warnings');
    expect(renderRulesMarkdown([{ ...odd, enforced: true }])).toContain('| warning | yes |');
    expect(renderRulesMarkdown([{ ...odd, enforced: true }])).toContain('0 as errors, 1 as warnings');
    expect(renderRulesMarkdown([{ ...odd, enforced: true, severity: 'error' }])).toContain(
      '1 as errors, 0 as warnings',
    );
    expect(renderRulesMarkdown([odd])).toContain('**Not enforced** (1)');
  });
});
