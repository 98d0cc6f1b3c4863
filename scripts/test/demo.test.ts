// `pnpm demo` (scripts/demo.mjs) run as a user runs it: no Kard credentials, so against the mock Kard
// it starts itself. The story's steps are all told, and the processor step shows the Kard event a
// signed Stripe Issuing webhook became.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only what a fresh shell has: no KARD_* variables, no STRIPE_WEBHOOK_SECRET or SAMPLE_CARD_BIN.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  child = spawn(process.execPath, ['scripts/demo.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((done, fail) => {
    child?.on('error', fail);
    child?.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('pnpm demo', () => {
  it('tells the whole story against the mock, then a signed Stripe Issuing webhook becomes a Kard event', async () => {
    const r = await runDemo();
    expect(r.stderr).not.toContain('demo FAILED');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // The steps before the processor step are unchanged.
    for (const step of [
      '1. Enrolled user',
      '2. Offers for the user',
      '3. Posted the APPROVED event',
      '4. Posted the SETTLED event',
      '5. The forwarder sent both events',
      "6. Kard's webhooks arrived",
      '7. demo-user-',
    ])
      expect(
        lines.some((l) => l.startsWith(step)),
        step,
      ).toBe(true);
    const userId = /^1\. Enrolled user (\S+) /m.exec(r.stdout)?.[1];
    expect(userId).toMatch(/^demo-user-/);

    const step8 = lines.findIndex((l) => l.startsWith('8. Posted a Stripe Issuing webhook'));
    expect(step8).toBeGreaterThan(lines.findIndex((l) => l.startsWith('7. ')));
    expect(r.stdout).toMatch(
      /→ 202: verified, mapped with @kardkit\/processors, committed to the same outbox as event (\S+)\./,
    );
    const shown = lines.slice(step8).find((l) => l.trim().startsWith('{'));
    const event = JSON.parse(shown ?? 'null') as {
      id: string;
      type: string;
      attributes: Record<string, unknown>;
    };
    expect(event.type).toBe('transaction');
    expect(event.attributes).toMatchObject({
      status: 'APPROVED',
      amount: 840,
      currency: 'USD',
      userId,
      cardBIN: '411111',
      cardLastFour: '4242',
      description: 'Bean & Leaf Coffee',
      mcc: '5814',
      direction: 'DEBIT',
      paymentType: 'CARD',
    });
    expect(r.stdout).toContain(`committed to the same outbox as event ${event.id}.`);
    expect(r.stdout).toMatch(
      /redelivery of the same event → HTTP 200 \(duplicate, stored once\); a wrong signature → HTTP 401\./,
    );
    expect(r.stdout).toMatch(/^Done in \d+\.\d s\.$/m);
    // The demo stops itself after 120 s; this ceiling only bounds a hang of its start on a loaded machine.
  }, 240_000);
});
