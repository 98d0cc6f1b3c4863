#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startMockKard } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p' },
    'organization-id': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'webhook-url': { type: 'string' },
    'token-ttl': { type: 'string' },
    log: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`kard-mock — a local, stateful Kard API sandbox on 127.0.0.1

Usage: kard-mock [--port 4010] [--organization-id org-mock] [--client-id id] [--client-secret s]
                 [--webhook-secret s] [--webhook-url http://127.0.0.1:3000/webhooks] [--token-ttl 3600] [--log]
Env:   KARD_MOCK_PORT overrides the default port (4010); --port overrides both.`);
  process.exit(0);
}

const portText = values.port ?? process.env.KARD_MOCK_PORT ?? '4010';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`kard-mock: invalid port '${portText}'`);
  process.exit(2);
}

async function main(): Promise<void> {
  const mock = await startMockKard({
    port,
    ...(values['organization-id'] ? { organizationId: values['organization-id'] } : {}),
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    ...(values['webhook-secret'] ? { webhookSecret: values['webhook-secret'] } : {}),
    ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
    ...(values['token-ttl'] ? { tokenTtlSeconds: Number(values['token-ttl']) } : {}),
    ...(values.log ? { log: (line: string) => console.log(line) } : {}),
  });

  const stop = () => {
    void mock.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // A local sandbox: printing its own generated credentials is the point (they are not Kard secrets).
  console.log(`kard-mock listening on ${mock.url}
  KARD_BASE_URL=${mock.url}
  KARD_ORGANIZATION_ID=${mock.organizationId}
  KARD_CLIENT_ID=${mock.clientId}
  KARD_CLIENT_SECRET=${mock.clientSecret}
  KARD_WEBHOOK_SECRET=${mock.webhookSecret}
Admin: ${mock.url}/__admin/stats · Ctrl-C to stop`);
}

main().catch((err: unknown) => {
  console.error(`kard-mock: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
