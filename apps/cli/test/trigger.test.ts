import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOTIFICATION_TYPE } from '@kardkit/schemas';
import { verifyWebhook } from '@kardkit/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TRIGGER_TYPES } from '../src/commands/trigger.js';
import { cleanEnv, type MockSandbox, runIn, tempDir, useMockSandbox, waitFor } from './helpers.js';

/** A local webhook receiver keeping each raw body and its headers. */
const hits: { raw: Buffer; headers: IncomingHttpHeaders }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    hits.push({ raw: Buffer.concat(chunks), headers: req.headers });
    res.end();
  });
});
let receiverUrl = '';
beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kard`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

let sb: MockSandbox;
useMockSandbox({ webhookSecret: 'whsec_cli_trigger' }, (s) => {
  sb = s;
});
beforeEach(async () => {
  hits.length = 0;
  for (const eventName of NOTIFICATION_TYPE)
    await runIn(['subscriptions', 'create', '--event', eventName, '--url', receiverUrl], { env: sb.env });
});

describe('kard trigger <type> [--user ID]', () => {
  it.each(TRIGGER_TYPES)('%s arrives signed, and the SDK verifyWebhook accepts it', async (type) => {
    const r = await runIn(['trigger', type, '--user', 'user-42'], { env: sb.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^triggered ${type} \\S+ → 1 subscribed URL\\n$`));
    await waitFor(() => hits.length > 0, `the ${type} webhook`);
    const hit = hits[0]!;
    const input = {
      rawBody: hit.raw,
      signature: hit.headers['notify-signature'],
      secret: 'whsec_cli_trigger',
    };
    if (type === 'legacyEarnedReward') {
      const event = await verifyWebhook({ ...input, kind: 'legacy' });
      expect(event.user.referringPartnerUserId).toBe('user-42');
    } else {
      const event = await verifyWebhook(input);
      expect(event.data.type).toBe(type);
      expect(r.stdout).toContain(event.data.id);
    }
    // a wrong key is refused: the signature really covers these bytes with this key
    await expect(verifyWebhook({ ...input, secret: 'another-key' })).rejects.toThrow(/signature/i);
  });

  it('--json prints the type, id and targets', async () => {
    const r = await runIn(['trigger', 'auditUpdate', '--json'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'auditUpdate', targets: [receiverUrl] });
  });

  it('an unknown type is a usage error listing the types (exit 2)', async () => {
    const r = await runIn(['trigger', 'earnedReward'], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown webhook type');
    expect(r.stderr).toContain('legacyEarnedReward');
  });

  it('nobody subscribed: still triggered, and stderr says how to subscribe', async () => {
    sb.mock.reset();
    const r = await runIn(['trigger', 'clawback'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('→ 0 subscribed URLs');
    expect(r.stderr).toContain('kard listen --forward-to');
  });

  it('refuses a non-local base URL: real Kard environments emit no webhooks on demand', async () => {
    const t = tempDir();
    try {
      const env = cleanEnv(t.dir, {
        KARD_BASE_URL: 'https://api.kard.example',
        KARD_CLIENT_ID: 'id',
        KARD_CLIENT_SECRET: 'secret',
        KARD_ORGANIZATION_ID: 'org',
      });
      const r = await runIn(['trigger', 'clawback'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('local sandbox only');
    } finally {
      t.cleanup();
    }
  });
});
