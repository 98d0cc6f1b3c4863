import type { ApiErrorObject } from '@kardkit/sdk';
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { runApiCommand } from './commands/api.js';
import { runConfigure } from './commands/configure.js';
import { cardBinArg, PROCESSORS, runConvert } from './commands/convert.js';
import { describeError } from './commands/failure.js';
import { runListen } from './commands/listen.js';
import { runHem, runRules, runWebhooksVerify } from './commands/local.js';
import { runMock } from './commands/mock.js';
import { runSend } from './commands/send.js';
import { runTrigger, TRIGGER_TYPES } from './commands/trigger.js';
import { runUploadsBulk, runUploadsHistorical } from './commands/uploads.js';
import { runValidate } from './commands/validate.js';
import type { GlobalFlags } from './config.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { DEFAULT_MAX_RECORD_BYTES, FORMATS } from './io/records.js';
import { defaultIo, type Io, paint, useColor, writeJson } from './output.js';

export const version: string = pkg.version;

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function globals(cmd: Command): GlobalFlags {
  const o = cmd.optsWithGlobals() as Record<string, string | undefined>;
  return {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    organizationId: o.organizationId,
    environment: o.environment,
    baseUrl: o.baseUrl,
    profile: o.profile,
    config: o.config,
  };
}

function intOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`, EXIT.usage);
  }
  return n;
}

function delimiterArg(value: string): string {
  const d = value === 'tab' || value === '\\t' ? '\t' : value;
  if ([...d].length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new CliError(
      `--delimiter must be one character other than a quote or a line end, or 'tab' (got "${value}")`,
      EXIT.usage,
    );
  }
  return d;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command();
  const formatOption = () =>
    new Option('--format <format>', 'input format (default: from the extension, then the content)').choices(
      FORMATS,
    );
  const schemaOption = () =>
    new Option('--schema <schema>', 'record schema (default: detected per record)').choices(['v2', 'legacy']);
  const delimiterOption = () =>
    new Option('--delimiter <char>', "CSV cell separator: one character, or 'tab' (default ',')").argParser(
      delimiterArg,
    );
  const maxRecordOption = () =>
    new Option(
      '--max-record-bytes <n>',
      'longest record (NDJSON line, CSV row, JSON element) read into memory; a longer one is invalid',
    )
      .default(DEFAULT_MAX_RECORD_BYTES)
      .argParser((v) => intOption('max-record-bytes', v, 16, 1 << 30));

  program
    .name('kard')
    .description('Validate and send Kard transaction files, manage users, offers, rewards and webhooks.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--client-id <id>', 'OAuth client id (env KARD_CLIENT_ID)')
    .option(
      '--client-secret <secret>',
      'OAuth client secret; visible in shell history and the process list, prefer KARD_CLIENT_SECRET, --client-secret-stdin or a profile',
    )
    .option('--client-secret-stdin', 'read the OAuth client secret from the first line of stdin')
    .option('--organization-id <id>', 'issuer organization id (env KARD_ORGANIZATION_ID)')
    .addOption(
      new Option('--environment <env>', 'Kard environment, default sandbox (env KARD_ENVIRONMENT)').choices([
        'sandbox',
        'production',
      ]),
    )
    .option('--base-url <url>', 'API base URL, overrides --environment (env KARD_BASE_URL)')
    .option('--profile <name>', 'profile in the config file (env KARD_PROFILE)')
    .option('--config <path>', 'config file (default $XDG_CONFIG_HOME/kard/config.json)')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(paint(useColor(io.stderr, io.env)).red(s)),
    })
    .addHelpText(
      'after',
      `${examples([
        'kard transactions validate transactions.ndjson',
        'kard transactions send transactions.csv --rejected rejected.ndjson',
        'kard rules R1 R2',
        'kard hem "  J.Doe@Example.com "',
        'kard mock --port 4010',
      ])}
Configuration: flags > environment (KARD_CLIENT_ID, KARD_CLIENT_SECRET, KARD_ORGANIZATION_ID,
KARD_ENVIRONMENT, KARD_BASE_URL) > profile file (kard configure). Secrets: KARD_CLIENT_SECRET,
--client-secret-stdin or a profile (a --client-secret flag shows in shell history and the process
list). With no credentials at all, commands use the sandbox \`kard mock\` runs, else a throwaway one.
Exit codes: 0 ok, 1 data problems (invalid or rejected records, unreadable input), 2 usage or
configuration, 3 API or network, 130 interrupted (Ctrl-C).
`,
    );
  program.exitOverride();
  program.hook('preAction', async (_program, action) => {
    await secretsFromStdinOrWarn(program, action, io);
  });
  const done = (p: Promise<number> | number) => Promise.resolve(p).then(setExit);

  // ---- transactions
  const tx = program
    .command('transactions')
    .description('validate, convert and send transaction files')
    .addHelpText(
      'after',
      examples([
        'kard transactions validate tx.ndjson',
        'kard transactions send tx.ndjson --resume',
        'kard transactions convert --from stripe-issuing --card-bin 445566 events.json | kard transactions send -',
      ]),
    );
  tx.command('validate')
    .description('check every record of a CSV, NDJSON or JSON file against the documented rules (streamed)')
    .argument('<file>', "file to check, or '-' for stdin")
    .addOption(formatOption())
    .addOption(schemaOption())
    .addOption(delimiterOption())
    .addOption(maxRecordOption())
    .option('--json', 'print one JSON object: {valid, invalid, warnings, issues[]}')
    .option(
      '--no-dedupe',
      'skip the file-wide duplicate event id check (R10), which costs ~16 bytes per record',
    )
    .addHelpText(
      'after',
      examples([
        'kard transactions validate transactions.ndjson',
        'kard transactions validate legacy.csv --schema legacy --json',
        'gunzip -c events.json.gz | kard transactions validate - --format json',
        "kard transactions validate export.csv --delimiter ';'",
      ]) +
        '\nCSV: dotted headers nest (attributes.merchant.name); legacy files use the flat names\n' +
        '(referringPartnerUserId, merchantName, ...). Empty cells are omitted.\n' +
        'Exit codes: 0 all valid (warnings allowed), 1 some record invalid, 2 usage error.\n',
    )
    .action((file: string, opts) => done(runValidate(file, opts, io)));

  tx.command('send')
    .description(
      'validate a file and send its valid records to Kard in batches (legacy records to /transactions/incoming)',
    )
    .argument('<file>', "file to send, or '-' for stdin")
    .addOption(formatOption())
    .addOption(schemaOption())
    .addOption(delimiterOption())
    .addOption(maxRecordOption())
    .option('--batch-size <n>', 'records per request (max 500, R11)', '500')
    .option('--concurrency <n>', 'requests in flight', '8')
    .option('--max-retries <n>', 'retries per request for 408/429/5xx/network errors', '5')
    .option('--rejected <file>', 'write invalid and rejected records (NDJSON, with reasons) here')
    .option('--resume', 'skip records a previous interrupted run already had accepted (reads the checkpoint)')
    .option('--checkpoint <file>', 'checkpoint file (default <file>.kard-checkpoint)')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--no-dedupe', 'skip the file-wide duplicate event id check (R10)')
    .option('--json', 'print the final report as JSON')
    .addHelpText(
      'after',
      examples([
        'kard transactions send transactions.ndjson --rejected rejected.ndjson',
        'kard transactions send big.csv --concurrency 16 --resume',
        'cat events.ndjson | kard transactions send - --json',
      ]) +
        '\nExit codes: 0 every record accepted, 1 some records invalid or rejected, 3 API or network failure.\n' +
        'After an interruption (Ctrl-C, crash, network), run again with --resume: accepted ranges are in the\n' +
        'checkpoint file, so nothing is lost and nothing is sent twice.\n',
    )
    .action((file: string, opts, cmd: Command) =>
      done(
        runSend(
          file,
          {
            ...opts,
            batchSize: intOption('batch-size', opts.batchSize, 1, 500),
            concurrency: intOption('concurrency', opts.concurrency, 1, 256),
            maxRetries: intOption('max-retries', opts.maxRetries, 0, 100),
          },
          globals(cmd),
          io,
        ),
      ),
    );

  tx.command('convert')
    .description(
      "turn a card processor's webhook events into Kard transaction events (NDJSON on stdout, for `kard transactions send -`)",
    )
    .argument('<file>', "processor events: a JSON array, NDJSON or one JSON object; '-' for stdin")
    .addOption(
      new Option('--from <processor>', 'the processor the events come from')
        .choices(PROCESSORS)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--card-bin <digits>',
        "the card's BIN, its first 6 digits (R4): processors leave it out of their events, Kard requires it",
      ).argParser(cardBinArg),
    )
    .option('--user-id-prefix <prefix>', "Kard user id = this prefix + the processor's cardholder id")
    .option('--legacy', 'write legacy /transactions/incoming records instead of v2 events')
    .option(
      '--cards <file>',
      'JSON object from card id to last four digits, for events that name their card by id only (Stripe transactions, Lithic)',
    )
    .addOption(
      new Option('--format <format>', 'input format (default: from the content)').choices(['ndjson', 'json']),
    )
    .addOption(maxRecordOption())
    .addHelpText(
      'after',
      examples([
        'kard transactions convert --from stripe-issuing --card-bin 445566 events.json > kard.ndjson',
        'kard transactions convert --from lithic --card-bin 445566 lithic.ndjson | kard transactions send -',
        'kard transactions convert --from marqeta --card-bin 445566 --legacy webhooks.json',
      ]) +
        '\nStdout holds only the converted events, one JSON object per line. Stderr gets one line per record\n' +
        'that is not for Kard (skipped: balance inquiries, card events, ...) with its record number and reason,\n' +
        'one line per problem of an invalid record (field path and rule), and a closing count.\n' +
        'Exit codes: 0 every record converted or skipped, 1 some record invalid or unreadable (the others are\n' +
        'still written), 2 usage error (unknown processor, malformed --card-bin, missing file).\n',
    )
    .action((file: string, opts) => done(runConvert(file, opts, io)));

  // ---- uploads
  const up = program
    .command('uploads')
    .description('historical and bulk transaction uploads')
    .addHelpText('after', examples(['kard uploads bulk history.jsonl --type historical']));
  up.command('historical')
    .description("upload one user's transaction history (deprecated multipart flow, R37)")
    .requiredOption('--user <id>', 'the user whose history this is')
    .argument('<file>', "NDJSON/CSV/JSON of transactions, or '-'")
    .addOption(formatOption())
    .addOption(delimiterOption())
    .addOption(maxRecordOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['kard uploads historical --user user-123 history.ndjson']))
    .action((file: string, opts, cmd: Command) => done(runUploadsHistorical(file, opts, globals(cmd), io)));
  up.command('bulk')
    .description('upload a JSONL file through a presigned URL (gzip on the fly, R32)')
    .argument('<file>', "the file, or '-'")
    .addOption(
      new Option('--type <type>', 'incoming (daily ingestion) or historical (backfill), R34')
        .choices(['incoming', 'historical'])
        .makeOptionMandatory(),
    )
    .addOption(delimiterOption())
    .addOption(maxRecordOption())
    .option('--name <filename>', 'file name reported to Kard (must have an extension, R33)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'kard uploads bulk history.jsonl --type historical',
        'kard uploads bulk today.jsonl --type incoming',
      ]),
    )
    .action((file: string, opts, cmd: Command) => done(runUploadsBulk(file, opts, globals(cmd), io)));

  // ---- resource commands (users, offers, locations, rewards, subscriptions, notifications, auth, ping)
  // commander calls an action with (...positional arguments, options, command).
  const api =
    (op: string) =>
    (...a: unknown[]) => {
      const cmd = a[a.length - 1] as Command;
      return done(runApiCommand(op, a.slice(0, -2), cmd.opts(), globals(cmd), io));
    };

  const users = program
    .command('users')
    .description('create, read, update and delete users')
    .addHelpText(
      'after',
      examples(['kard users create user-123 --email jane@example.com', 'kard users get user-123']),
    );
  users
    .command('create')
    .description('enroll a user (R38, R39)')
    .argument('<id>', "the issuer's user id")
    .option('--email <email>', 'email; sent as a hashed email (HEM), never in clear')
    .option('--zip <zip>', 'zip code')
    .option('--enrolled <programs>', 'comma-separated rewards programs', 'CARDLINKED')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard users create user-123 --email jane@example.com --zip 10001']))
    .action(api('users.create'));
  users
    .command('get')
    .description('show a user')
    .argument('<id>')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard users get user-123 --json']))
    .action(api('users.get'));
  users
    .command('update')
    .description('update a user')
    .argument('<id>')
    .option('--email <email>', 'new email (hashed)')
    .option('--zip <zip>', 'zip code')
    .option('--enrolled <programs>', 'comma-separated rewards programs; "" for none (R39)')
    .option('--historical-sent', 'confirm historical transactions were sent (one-way, R40)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['kard users update user-123 --zip 94105', 'kard users update user-123 --historical-sent']),
    )
    .action(api('users.update'));
  users
    .command('delete')
    .description('delete a user (the id can be enrolled again later, R43)')
    .argument('<id>')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard users delete user-123']))
    .action(api('users.delete'));

  program
    .command('audits')
    .description('transaction audits: ask Kard to review a missing or wrong reward (R50)')
    .addHelpText(
      'after',
      examples([
        'kard audits create --user user-123 --transaction txn-8841 --code 3006 --merchant "Bean & Leaf"',
      ]),
    )
    .command('create')
    .description("request an audit of one of a user's transactions (R50)")
    .requiredOption('--user <id>', 'the user whose transaction it is')
    .requiredOption('--transaction <id>', 'the transactionId to review')
    .addOption(
      new Option('--code <code>', '3005 incorrect cashback, 3006 missing cashback, 8001 other (explain it)')
        .choices(['3005', '3006', '8001'])
        .makeOptionMandatory(),
    )
    .requiredOption('--merchant <name>', 'the merchant name')
    .option('--description <text>', 'what is wrong (required with --code 8001)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `${examples([
        'kard audits create --user user-123 --transaction txn-8841 --code 3006 --merchant "Bean & Leaf Coffee"',
        'kard audits create --user user-123 --transaction txn-9 --code 8001 --merchant Acme --description "charged twice" --json',
      ])}\nExit codes: 0 requested, 1 refused by Kard (e.g. already audited), 2 usage, 3 API or network.\n`,
    )
    .action(api('audits.create'));

  program
    .command('offers')
    .description('offers')
    .addHelpText('after', examples(['kard offers list --user user-123']))
    .command('list')
    .description("list a user's offers")
    .requiredOption('--user <id>', 'user id')
    .option('--search <text>', 'case-insensitive search over offer or category name (R57)')
    .option('--category <name>', 'category filter (R58)')
    .option('--page-size <n>', 'page size')
    .option('--include <list>', 'include related resources, e.g. categories (R59)')
    .option('--all', 'follow pagination to the end')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples([
        'kard offers list --user user-123 --search coffee',
        'kard offers list --user user-123 --all --json',
      ]),
    )
    .action(api('offers.list'));

  program
    .command('locations')
    .description('merchant locations')
    .addHelpText('after', examples(['kard locations list --user user-123 --city Austin --state TX']))
    .command('list')
    .description('list locations, optionally near a point (R62)')
    .option('--user <id>', 'user id (locations for this user)')
    .option('--lat <latitude>', 'latitude (with --long)')
    .option('--long <longitude>', 'longitude (with --lat)')
    .option('--radius <miles>', 'radius in miles (needs --lat/--long)')
    .option('--city <city>', 'city')
    .option('--state <state>', 'state')
    .option('--zip <zip>', 'zip code')
    .option('--category <name>', 'category')
    .option('--page-size <n>', 'page size')
    .option('--all', 'follow pagination to the end')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['kard locations list --user user-123 --lat 40.7 --long -74.0 --radius 5']),
    )
    .action(api('locations.list'));

  program
    .command('rewards')
    .description('earned rewards')
    .addHelpText('after', examples(['kard rewards earned --user user-123']))
    .command('earned')
    .description("list a user's earned rewards (R53–R56)")
    .requiredOption('--user <id>', 'user id')
    .addOption(new Option('--status <status>', 'reward status (R53)').choices(['SETTLED', 'APPROVED']))
    .option('--paid-in-full-only', 'only rewards paid in full (R54)')
    .option('--include <list>', 'merchant,offer (R56)')
    .option('--page-size <n>', 'page size')
    .option('--all', 'follow pagination to the end')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard rewards earned --user user-123 --status APPROVED']))
    .action(api('rewards.earned'));

  const subs = program
    .command('subscriptions')
    .description('webhook subscriptions')
    .addHelpText('after', examples(['kard subscriptions list']));
  subs
    .command('list')
    .description('list subscriptions')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard subscriptions list']))
    .action(api('subscriptions.list'));
  subs
    .command('create')
    .description('subscribe a URL to an event (R74: all fields required)')
    .requiredOption('--event <name>', 'event name, e.g. earnedRewardSettled')
    .requiredOption('--url <url>', 'webhook URL')
    .option('--disabled', 'create it disabled')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['kard subscriptions create --event earnedRewardSettled --url https://example.com/kard']),
    )
    .action(api('subscriptions.create'));
  subs
    .command('update')
    .description('change a subscription (R74: any field)')
    .argument('<id>', 'subscription id')
    .option('--event <name>', 'event name')
    .option('--url <url>', 'webhook URL')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard subscriptions update sub-1 --disable']))
    .action(api('subscriptions.update'));

  const notes = program
    .command('notifications')
    .description('webhook notifications sent to you')
    .addHelpText('after', examples(['kard notifications list --page-size 20']));
  notes
    .command('list')
    .description('list notifications, newest first (R72)')
    .option('--after <time>', 'only after this ISO time (exclusive)')
    .option('--before <time>', 'only before this ISO time (exclusive)')
    .option('--page-size <n>', 'page size (1–200)')
    .option('--all', 'follow pagination to the end')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard notifications list --after 2025-01-01T00:00:00Z']))
    .action(api('notifications.list'));
  notes
    .command('replay')
    .description('redeliver a notification to the current subscription URL (R73)')
    .argument('<eventId>', 'notification event id')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard notifications replay evt-123']))
    .action(api('notifications.replay'));

  program
    .command('auth')
    .description('authentication')
    .addHelpText('after', examples(['kard auth token']))
    .command('token')
    .description('obtain an access token and print its type and expiry (never the token or the secret)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['kard auth token', 'KARD_CLIENT_ID=... KARD_CLIENT_SECRET=... kard auth token --json']),
    )
    .action(api('auth.token'));

  program
    .command('ping')
    .description('check that the API is reachable and the credentials work')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard ping']))
    .action(api('ping'));

  // ---- local tools
  program
    .command('rules')
    .description('the documented rules (R1–R106) and whether kardkit enforces them')
    .argument('[ids...]', 'only these rules, e.g. R1 R2')
    .option('--enforced', 'only rules that are checked')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard rules', 'kard rules R10 R11', 'kard rules --enforced --json']))
    .action((ids: string[], opts) => done(runRules(ids, opts, io)));

  program
    .command('hem')
    .description('hashed email (HEM): SHA-256 of the normalised email, as Kard expects (R42)')
    .argument('<email...>', "email address(es), or '-' to read one per line from stdin")
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['kard hem jane.doe@example.com', 'kard hem - < emails.txt']))
    .action((emails: string[], opts) => done(runHem(emails, opts, io)));

  program
    .command('webhooks')
    .description('webhook tools')
    .addHelpText('after', examples(['kard webhooks verify --signature "$SIG" body.json']))
    .command('verify')
    .description(
      'check a notify-signature against a webhook body (R106); without --signature, print the expected one',
    )
    .argument('<body-file>', "the raw body exactly as received, or '-'")
    .option(
      '--secret <key>',
      'webhook key; prefer KARD_WEBHOOK_SECRET or --secret-stdin (a flag shows in the process list)',
    )
    .option('--secret-stdin', 'read the webhook key from the first line of stdin')
    .option('--signature <sig>', 'the notify-signature header value')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `${examples([
        'kard webhooks verify --signature "$SIG" body.json',
        'kard webhooks verify body.json   # prints the expected signature',
      ])}\nExit codes: 0 valid, 1 signature mismatch or bad body, 2 usage error.\n`,
    )
    .action((file: string, opts) => done(runWebhooksVerify(file, opts, io)));

  program
    .command('configure')
    .description('save credentials to a profile in the config file (mode 0600)')
    .option('--show', 'show the profile (the secret is masked)')
    .addHelpText(
      'after',
      `${examples([
        'kard configure',
        'kard configure --profile prod --client-id abc --organization-id org-1 --environment production',
        'kard configure --show',
      ])}\nProfile options use the global flags: --profile, --client-id, --client-secret, ...\n`,
    )
    .action((opts, cmd: Command) => done(runConfigure({ ...opts, ...globals(cmd) }, io)));

  program
    .command('mock')
    .description('run the local Kard sandbox until Ctrl-C and print its credentials')
    .option('--port <port>', 'port (default 4010, env KARD_MOCK_PORT; 0 = any free port)')
    .option('--webhook-url <url>', 'subscribe this URL to every notification')
    .option(
      '--state <file>',
      'keep users, transactions, rewards, subscriptions and notifications in this file across restarts',
    )
    .option('--log', 'print one line per request: method, path, status, ms, validation issues')
    .option('--json', 'print the credentials as JSON')
    .addHelpText(
      'after',
      `${examples(['kard mock', 'kard mock --state .kard-sandbox.json --log', 'kard mock --port 0 --json'])}
While it runs, other kard commands without credentials use it (they say so on stderr).
Exit codes: 130 after Ctrl-C, 0 after SIGTERM, 2 when the port is taken or the state file unusable.
`,
    )
    .action((opts) => done(runMock(opts, io)));

  program
    .command('trigger')
    .description('make the local sandbox send a sample webhook of any type, signed as Kard signs them (R106)')
    .argument('<type>', `webhook type: ${TRIGGER_TYPES.join(', ')}`)
    .option('--user <id>', 'the user the webhook is about (default sandbox-user)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['kard trigger earnedRewardSettled --user user-123', 'kard trigger auditUpdate']),
    )
    .action((type: string, opts, cmd: Command) => done(runTrigger(type, opts, globals(cmd), io)));

  program
    .command('listen')
    .description(
      "forward the local sandbox's webhooks, signed, to a URL of your app; one line per delivery (type, id, status, ms)",
    )
    .requiredOption('--forward-to <url>', 'where to POST each webhook, e.g. http://127.0.0.1:3000/webhooks')
    .option('--events <list>', 'comma-separated notification types (default: all ten)')
    .option('--json', 'one JSON object per delivery')
    .addHelpText(
      'after',
      `${examples([
        'kard listen --forward-to http://127.0.0.1:3000/kard/webhooks',
        'kard listen --forward-to http://localhost:8080/hooks --events earnedRewardApproved,earnedRewardSettled',
      ])}
The body and its notify-signature are forwarded unchanged: verify them with the sandbox's webhook
secret (KARD_WEBHOOK_SECRET). Your app's answer goes back to the sandbox (its retries, the dashboard).
Exit codes: 130 after Ctrl-C; 2 when no sandbox runs.
`,
    )
    .action((opts, cmd: Command) => done(runListen(opts, globals(cmd), io)));

  return program;
}

/** The first line of stdin, without its line end; a usage error when there is none. */
async function firstLineOfStdin(io: Io, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin as AsyncIterable<Buffer | string>) {
    chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError(`${what}: stdin is empty`);
  return line;
}

/**
 * --client-secret-stdin / --secret-stdin read the secret from stdin (then stdin cannot also carry
 * records or a body: '-'); a secret given as a flag works but earns a warning, since shell history
 * and the process list keep it.
 */
async function secretsFromStdinOrWarn(program: Command, action: Command, io: Io): Promise<void> {
  const readsStdin = action.args.includes('-');
  const fromStdin = async (flag: string, set: (secret: string) => void) => {
    if (readsStdin) throw new UsageError(`${flag} cannot be used when '-' reads the input from stdin`);
    set(await firstLineOfStdin(io, flag));
  };
  const warn = (flag: string, alternatives: string) =>
    io.stderr.write(
      `kard: warning: a secret given as ${flag} stays in shell history and the process list; use ${alternatives}\n`,
    );
  const g = program.opts() as { clientSecretStdin?: boolean };
  if (g.clientSecretStdin) {
    if (program.getOptionValueSource('clientSecret') === 'cli')
      throw new UsageError('give the client secret once: --client-secret or --client-secret-stdin');
    await fromStdin('--client-secret-stdin', (v) => program.setOptionValue('clientSecret', v));
  } else if (program.getOptionValueSource('clientSecret') === 'cli') {
    warn('--client-secret', 'KARD_CLIENT_SECRET, --client-secret-stdin or `kard configure`');
  }
  const o = action.opts() as { secret?: string; secretStdin?: boolean };
  if (o.secretStdin) {
    if (o.secret !== undefined)
      throw new UsageError('give the webhook secret once: --secret or --secret-stdin');
    await fromStdin('--secret-stdin', (v) => action.setOptionValue('secret', v));
  } else if (o.secret !== undefined) {
    warn('--secret', 'KARD_WEBHOOK_SECRET or --secret-stdin');
  }
}

/** With --json, a failure is also one JSON object on stdout: {"error": {message, exitCode, ...}}. */
function jsonFailure(io: Io, message: string, exitCode: number, api?: ApiErrorObject): void {
  const details: Record<string, unknown> = {};
  if (api)
    for (const k of ['status', 'code', 'title', 'detail', 'source'] as const) {
      if (api[k] !== undefined) details[k] = api[k];
    }
  writeJson(io, { error: { message, exitCode, ...details } });
}

function helpFor(program: Command, names: string[], io: Io): number {
  let cmd = program;
  for (const name of names) {
    if (name.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub) {
      const where = cmd === program ? 'kard' : `kard ${cmd.name()}`;
      io.stderr.write(
        paint(useColor(io.stderr, io.env)).red(`error: unknown command '${name}' for ${where}\n`) +
          '(see: kard help)\n',
      );
      return EXIT.usage;
    }
    cmd = sub;
  }
  cmd.outputHelp();
  return EXIT.ok;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit). */
export async function run(argv: string[], io: Io = defaultIo()): Promise<number> {
  if (argv.includes('--no-color')) io.env = { ...io.env, NO_COLOR: '1' };
  const json = argv.includes('--json');
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    // `kard help <command> [<subcommand>]`: that command's help, at any depth.
    if (argv[0] === 'help') return helpFor(program, argv.slice(1), io);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version succeed; help shown because a subcommand is missing is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // The message was already written by commander.
      if (json) jsonFailure(io, e.message.replace(/^error: /, ''), EXIT.usage);
      return EXIT.usage;
    }
    const d = describeError(e);
    io.stderr.write(`kard: ${d.message}\n`);
    if (json) jsonFailure(io, d.message, d.exitCode, e instanceof CliError ? undefined : d.error);
    return d.exitCode;
  }
}
