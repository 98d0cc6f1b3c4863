#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { closestOption, parseArgsError } from './cli-args.js';
import { startMockKard } from './server.js';

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  'organization-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'webhook-url': { type: 'string' },
  'token-ttl': { type: 'string' },
  state: { type: 'string' },
  log: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
try {
  ({ values } = parseArgs({ options: OPTIONS }));
} catch (e) {
  // One line, a suggestion, exit 2: a typo is a usage error, not a crash.
  console.error(
    `kard-mock: ${parseArgsError(e, closestOption(Object.keys(OPTIONS)))} (see kard-mock --help)`,
  );
  process.exit(2);
}

if (values.help) {
  console.log(`kard-mock — a local, stateful Kard API sandbox on 127.0.0.1

Usage: kard-mock [--port 4010] [--state FILE] [--log] [--webhook-url http://127.0.0.1:3000/webhooks]
                 [--organization-id org-mock] [--client-id id] [--client-secret s] [--webhook-secret s]
                 [--token-ttl 3600]
  --state FILE  keep users, transactions, rewards, subscriptions and notifications in FILE across restarts
  --log         one line per request: method, path, status, ms, validation issues
Env:   KARD_MOCK_PORT overrides the default port (4010); --port overrides both.
       KARD_SANDBOX_DIR: where the running sandbox announces itself to the kard CLI.`);
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
    announce: true,
    ...(values.state ? { stateFile: values.state } : {}),
    ...(values['organization-id'] ? { organizationId: values['organization-id'] } : {}),
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    ...(values['webhook-secret'] ? { webhookSecret: values['webhook-secret'] } : {}),
    ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
    ...(values['token-ttl'] ? { tokenTtlSeconds: Number(values['token-ttl']) } : {}),
    ...(values.log ? { log: (line: string) => console.log(line) } : {}),
  });

  // Ctrl-C ends with 130 (128 + SIGINT), SIGTERM with 0: both save the state and remove the discovery file.
  const stop = (code: number) => () => {
    void mock.close().then(() => process.exit(code));
  };
  process.once('SIGINT', stop(130));
  process.once('SIGTERM', stop(0));

  // A local sandbox: printing its own generated credentials is the point (they are not Kard secrets).
  console.log(`kard-mock listening on ${mock.url}
  KARD_BASE_URL=${mock.url}
  KARD_ORGANIZATION_ID=${mock.organizationId}
  KARD_CLIENT_ID=${mock.clientId}
  KARD_CLIENT_SECRET=${mock.clientSecret}
  KARD_WEBHOOK_SECRET=${mock.webhookSecret}
Dashboard: ${mock.url}/ (user name: the client id, password: the client secret)
Admin: ${mock.url}/__admin/stats${mock.stateFile ? ` · State: ${mock.stateFile}` : ''} · Ctrl-C to stop`);
}

main().catch((err: unknown) => {
  console.error(`kard-mock: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
