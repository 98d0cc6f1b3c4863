// `kard transactions convert --from <processor>`: processor events in, Kard events out (NDJSON on
// stdout), skips and invalid records on stderr. Most tests run the CLI in this process; the pipe into
// `kard transactions send -` runs the built bin twice, against the mock Kard on loopback.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { MockKard } from '@kardkit/mock-server';
import {
  type CardholderRef,
  fromLithic,
  fromMarqetaEach,
  fromStripeIssuing,
  type KardTransaction,
  type MapOptions,
  type MapResult,
  toLegacyIncoming,
} from '@kardkit/processors';
import { safeParseLegacyIncomingTransaction, safeParseTransactionEvent } from '@kardkit/schemas';
import { describe, expect, it } from 'vitest';
import { run as runCli } from '../src/cli.js';
import { type Processor, runConvert } from '../src/commands/convert.js';
import type { Io } from '../src/output.js';
import {
  BIN,
  capturedOutput,
  collect,
  ndjson,
  runIn,
  start,
  track,
  useMockSandbox,
  waitFor,
} from './helpers.js';

let dir: string;
let mock: MockKard;
let env: NodeJS.ProcessEnv;
useMockSandbox({}, (s) => {
  ({ dir, mock, env } = s);
});

const BIN6 = '445566';
let seq = 0;
const file = (content: string, ext = 'json') => {
  const p = join(dir, `convert-${++seq}.${ext}`);
  writeFileSync(p, content);
  return p;
};
const outLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const convert = (args: string[], input?: string) =>
  runIn(['transactions', 'convert', ...args], { env, ...(input !== undefined ? { input } : {}) });

/** A Stripe `issuing_authorization.created` event (docs.stripe.com/api/issuing/authorizations/object), approved. */
function stripeAuthorization(n: number, extra: Record<string, unknown> = {}) {
  const created = 1_764_000_000 + n;
  return {
    id: `evt_auth_${n}`,
    object: 'event',
    type: 'issuing_authorization.created',
    created,
    data: {
      object: {
        id: `iauth_${n}`,
        object: 'issuing.authorization',
        amount: 1250 + n,
        approved: true,
        status: 'pending',
        currency: 'usd',
        created,
        card: { id: 'ic_1', object: 'issuing.card', last4: '4242', brand: 'Visa', cardholder: 'ich_1' },
        cardholder: 'ich_1',
        merchant_data: {
          name: 'Bean & Leaf Coffee',
          category: 'eating_places_restaurants',
          category_code: '5814',
          city: 'Portland',
          state: 'OR',
          postal_code: '97205',
          country: 'US',
          network_id: '123456789012',
        },
        request_history: [{ amount: 1250 + n, approved: true, authorization_code: 'A1B2C3', created }],
        ...extra,
      },
    },
  };
}

/** The capture of `auth` (stripeAuthorization(n)): its card named by id only, as Stripe sends it. */
function stripeCapture(auth: ReturnType<typeof stripeAuthorization>, n: number) {
  const created = 1_764_100_000 + n;
  return {
    id: `evt_capture_${n}`,
    object: 'event',
    type: 'issuing_transaction.created',
    created,
    data: {
      object: {
        id: `ipi_${n}`,
        object: 'issuing.transaction',
        type: 'capture',
        amount: -auth.data.object.amount,
        currency: 'usd',
        created,
        authorization: auth.data.object.id,
        card: 'ic_1',
        cardholder: 'ich_1',
        merchant_data: auth.data.object.merchant_data,
      },
    },
  };
}
/** A Stripe event that is about a card, not spending. */
const stripeCardCreated = {
  id: 'evt_card',
  object: 'event',
  type: 'issuing_card.created',
  data: { object: { id: 'ic_2', object: 'issuing.card' } },
};

const mapped = (r: MapResult) => (r.kind === 'skip' ? [] : r.events);

describe('kard transactions convert --from stripe-issuing', () => {
  it('writes the mapped Kard events as NDJSON and reports a skipped record with its position and reason', async () => {
    const events = [stripeAuthorization(1), stripeCardCreated, stripeAuthorization(2)];
    const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, file(JSON.stringify(events))]);
    expect(r.code).toBe(0);
    const expected = [
      ...mapped(fromStripeIssuing(events[0], { cardBin: BIN6 })),
      ...mapped(fromStripeIssuing(events[2], { cardBin: BIN6 })),
    ];
    expect(expected).toHaveLength(2);
    expect(outLines(r.stdout)).toEqual(expected);
    for (const e of outLines(r.stdout)) {
      expect(safeParseTransactionEvent(e).success).toBe(true);
      expect((e.attributes as Record<string, unknown>).cardBIN).toBe(BIN6);
    }
    const skip = fromStripeIssuing(stripeCardCreated);
    expect(skip.kind).toBe('skip');
    const reason = skip.kind === 'skip' ? skip.reason : '';
    expect(r.stderr).toContain(`record 2: skipped (not-a-transaction) ${reason}\n`);
    expect(r.stderr).not.toMatch(/record [13]:/);
    expect(r.stderr).toContain('kard: 3 stripe-issuing records: 2 Kard events written, 1 skipped');
  });

  it('without --card-bin every event is invalid on attributes.cardBIN (R4): reported, nothing written, exit 1', async () => {
    const input = ndjson([stripeAuthorization(3), stripeCardCreated]);
    const r = await convert(['--from', 'stripe-issuing', '-'], input);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const id = mapped(fromStripeIssuing(stripeAuthorization(3)))[0]?.id;
    expect(r.stderr).toContain(`record 1 (${id}): error [R4] attributes.cardBIN:`);
    expect(r.stderr).toContain('record 2: skipped (not-a-transaction)');
    expect(r.stderr).toContain('0 Kard events written, 1 skipped (not for Kard), 1 invalid');
    expect(r.stderr).toContain('give it with --card-bin <6 digits>');
  });

  it('an invalid record does not stop the others: they are written, and the exit code is 1', async () => {
    // No cardholder: no Kard user id.
    const bad = stripeAuthorization(4, { cardholder: null, card: { id: 'ic_1', last4: '4242' } });
    const input = ndjson([stripeAuthorization(5), bad, stripeAuthorization(6)]);
    const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, '-'], input);
    expect(r.code).toBe(1);
    expect(outLines(r.stdout).map((e) => e.id)).toEqual(
      [stripeAuthorization(5), stripeAuthorization(6)].map((e) => mapped(fromStripeIssuing(e))[0]?.id),
    );
    expect(r.stderr).toMatch(/^record 2 \(\S+\): error attributes\.userId: /m);
  });

  it('NDJSON: a line that is not JSON is reported with its record number (blank lines are not records), the rest converted', async () => {
    const input = `${JSON.stringify(stripeAuthorization(7))}\n\n{not json\n${JSON.stringify(stripeAuthorization(8))}\n`;
    const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, file(input, 'ndjson')]);
    expect(r.code).toBe(1);
    expect(outLines(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/^record 2: error invalid JSON: /m);
  });

  it('reads one pretty-printed JSON object, and a { data: [...] } list', async () => {
    const one = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      file(JSON.stringify(stripeAuthorization(9), null, 2)),
    ]);
    expect(one.code).toBe(0);
    expect(outLines(one.stdout)).toEqual(
      mapped(fromStripeIssuing(stripeAuthorization(9), { cardBin: BIN6 })),
    );
    const list = await convert(
      ['--from', 'stripe-issuing', '--card-bin', BIN6, '-'],
      JSON.stringify({ object: 'list', data: [stripeAuthorization(10), stripeAuthorization(11)] }),
    );
    expect(list.code).toBe(0);
    expect(outLines(list.stdout)).toHaveLength(2);
  });

  it('--user-id-prefix makes the Kard user id from the cardholder id', async () => {
    const r = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      '--user-id-prefix',
      'acme-',
      file(JSON.stringify([stripeAuthorization(12)])),
    ]);
    expect(r.code).toBe(0);
    const [event] = outLines(r.stdout) as KardTransaction[];
    expect(event?.attributes.userId).toBe('acme-ich_1');
    const plain = mapped(fromStripeIssuing(stripeAuthorization(12), { cardBin: BIN6 }))[0];
    expect(event).toEqual({ ...plain, attributes: { ...plain?.attributes, userId: 'acme-ich_1' } });
  });

  it('--legacy writes legacy /transactions/incoming records (toLegacyIncoming) that pass the legacy schema', async () => {
    const r = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      '--legacy',
      file(JSON.stringify([stripeAuthorization(13), stripeCardCreated])),
    ]);
    expect(r.code).toBe(0);
    const v2 = mapped(fromStripeIssuing(stripeAuthorization(13), { cardBin: BIN6 }));
    expect(outLines(r.stdout)).toEqual(v2.map(toLegacyIncoming));
    for (const rec of outLines(r.stdout)) expect(safeParseLegacyIncomingTransaction(rec).success).toBe(true);
    expect(r.stderr).toContain('1 legacy record written, 1 skipped');
  });

  it('usage errors exit 2: a --card-bin that is not 6 digits, an unknown processor, no --from, a missing file', async () => {
    const f = file('[]');
    for (const args of [
      ['--from', 'stripe-issuing', '--card-bin', '12345', f],
      ['--from', 'stripe-issuing', '--card-bin', '4455667', f],
      ['--from', 'adyen', f],
      [f],
      ['--from', 'lithic', join(dir, 'no-such-file.json')],
    ]) {
      const r = await convert(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
    const bin = await convert(['--from', 'stripe-issuing', '--card-bin', '12345', f]);
    expect(bin.stderr).toContain('--card-bin must be the card\'s first 6 digits (R4), got "12345"');
  });

  it('input that is not JSON (a CSV file) is an input error, exit 1, not read as CSV', async () => {
    const r = await convert(['--from', 'lithic', file('token,amount\nabc,100\n', 'csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('expected JSON: a JSON array, NDJSON');
  });

  it("a capture that names its card by id gets the card's last four digits from its authorization earlier in the input", async () => {
    const auth = stripeAuthorization(40);
    const capture = stripeCapture(auth, 40);
    // Alone, the capture has no last four digits: invalid on attributes.cardLastFour.
    const alone = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      file(JSON.stringify([capture])),
    ]);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/^record 1 \(\S+\): error (\[R\d+\] )?attributes\.cardLastFour: /m);
    expect(alone.stderr).toContain('give them with --cards <file>');
    const both = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      file(JSON.stringify([auth, capture])),
    ]);
    expect(both.code).toBe(0);
    const [approved, settled] = outLines(both.stdout) as KardTransaction[];
    expect(approved?.attributes.status).toBe('APPROVED');
    expect(settled?.attributes).toMatchObject({
      status: 'SETTLED',
      cardLastFour: '4242',
      transactionId: 'iauth_40',
    });
    // --cards gives it by card id.
    const cards = file(JSON.stringify({ ic_1: '9876' }));
    const given = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      '--cards',
      cards,
      file(JSON.stringify([capture])),
    ]);
    expect(given.code).toBe(0);
    expect(given.stderr).not.toContain('--cards');
    expect((outLines(given.stdout)[0] as KardTransaction).attributes.cardLastFour).toBe('9876');
    const bad = await convert(['--from', 'stripe-issuing', '--cards', file('{"ic_1": "98"}'), cards]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the last four digits of card "ic_1" must be 4 digits');
  });

  it('streams: an event is written before the rest of the input has arrived', async () => {
    const { stdout, stderr, out } = capturedOutput();
    const stdin = new PassThrough();
    const io: Io = {
      stdout: Object.assign(stdout, { isTTY: false }),
      stderr: Object.assign(stderr, { isTTY: false }),
      stdin,
      env: { ...env, KARD_NO_GC: '1' },
    };
    const done = runCli(['transactions', 'convert', '--from', 'stripe-issuing', '--card-bin', BIN6, '-'], io);
    // Enough lines to fill the reader's first chunk, then the input stays open.
    const first = Array.from({ length: 200 }, (_, i) => JSON.stringify(stripeAuthorization(100 + i))).join(
      '\n',
    );
    stdin.write(`${first}\n`);
    await waitFor(
      () => out().split('\n').filter(Boolean).length >= 100,
      'events written while stdin is open',
    );
    stdin.end(`${JSON.stringify(stripeAuthorization(999))}\n`);
    expect(await done).toBe(0);
    expect(outLines(out())).toHaveLength(201);
  });
});

describe('kard transactions convert: edges', () => {
  it('--cards refuses a missing file, a file that is not JSON, a list, and a value that is not 4 digits (exit 2)', async () => {
    const events = file(JSON.stringify([stripeAuthorization(50)]));
    const cases: [string, string][] = [
      [join(dir, 'no-such-cards.json'), 'no such file'],
      [file('{not json'), 'not JSON ('],
      [file('["ic_1", "4242"]'), 'expected a JSON object { "<card id>": "<last four digits>", ... }'],
      [file('null'), 'expected a JSON object'],
      [file('{"ic_1": 4242}'), 'the last four digits of card "ic_1" must be 4 digits'],
      [file('{"ic_1": "42424"}'), 'the last four digits of card "ic_1" must be 4 digits'],
      [file('{"ic_1": "x4242"}'), 'the last four digits of card "ic_1" must be 4 digits'],
    ];
    for (const [cards, message] of cases) {
      const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, '--cards', cards, events]);
      expect(r.code, message).toBe(2);
      expect(r.stderr, message).toContain(`--cards ${cards}: ${message}`);
      expect(r.stdout).toBe('');
    }
  });

  it('--cards wins over the last four digits another event of the card showed', async () => {
    const auth = stripeAuthorization(51);
    const capture = stripeCapture(auth, 51);
    const cards = file(JSON.stringify({ ic_1: '1111' }));
    const r = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      '--cards',
      cards,
      file(JSON.stringify([auth, capture])),
    ]);
    expect(r.code).toBe(0);
    const [approved, settled] = outLines(r.stdout) as KardTransaction[];
    expect(approved?.attributes.cardLastFour).toBe('4242'); // the event's own digits
    expect(settled?.attributes.cardLastFour).toBe('1111');
  });

  it('the closing line counts records, events, skips, invalid records and warnings', async () => {
    const noMcc = stripeAuthorization(52);
    (noMcc.data.object.merchant_data as Record<string, unknown>).category_code = null; // R5: a warning
    const r = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      file(JSON.stringify([noMcc, stripeCardCreated])),
    ]);
    const mapped52 = fromStripeIssuing(noMcc, { cardBin: BIN6 });
    const warnings =
      mapped52.kind === 'events' ? mapped52.issues.filter((i) => i.severity === 'warning').length : -1;
    expect(warnings).toBeGreaterThan(0);
    expect(r.stderr).toContain(
      `kard: 2 stripe-issuing records: 1 Kard event written, 1 skipped (not for Kard), 0 invalid, ${warnings} warning${warnings === 1 ? '' : 's'} (kard transactions validate lists them)\n`,
    );
    const clean = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      file(JSON.stringify([stripeAuthorization(53)])),
    ]);
    const m53 = fromStripeIssuing(stripeAuthorization(53), { cardBin: BIN6 });
    const w53 = m53.kind === 'events' ? m53.issues.filter((x) => x.severity === 'warning').length : -1;
    const tail53 =
      w53 === 0 ? '' : `, ${w53} warning${w53 === 1 ? '' : 's'} (kard transactions validate lists them)`;
    expect(clean.stderr).toBe(
      `kard: 1 stripe-issuing record: 1 Kard event written, 0 skipped (not for Kard), 0 invalid${tail53}\n`,
    );
  });

  it('an invalid record that is not about the BIN gives no --card-bin hint', async () => {
    const bad = stripeAuthorization(54, { cardholder: null, card: { id: 'ic_1', last4: '4242' } });
    const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, file(JSON.stringify([bad]))]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('--card-bin');
    expect(r.stderr).not.toContain('--cards');
  });

  it('a webhook body with several transactions: each is mapped on its own, and each issue names its transaction and event id', async () => {
    const path = join(FIXTURES, 'marqeta/authorization-clearing-multi.json');
    const results = fromMarqetaEach(JSON.parse(readFileSync(path, 'utf8')));
    expect(results.map((x) => x.kind)).toEqual(['invalid', 'invalid']);
    const ids = results.map((x) => (x.kind === 'invalid' ? x.events[0]?.id : undefined));
    const r = await convert(['--from', 'marqeta', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`record 1 transaction 0 (${ids[0]}): error [R4] attributes.cardBIN:`);
    expect(r.stderr).toContain(`record 1 transaction 1 (${ids[1]}): error [R4] attributes.cardBIN:`);
  });

  it('a webhook body with a valid and an invalid transaction: the valid one is written, the other reported, exit 1', async () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'marqeta/authorization.json'), 'utf8'));
    const good = { ...body.transactions[0], token: 'mq-good' };
    const bad = { ...body.transactions[0], token: 'mq-bad' };
    delete bad.user_token;
    delete bad.card_token;
    const input = { transactions: [good, bad] };
    const [okOne, badOne] = fromMarqetaEach(input, { cardBin: BIN6 });
    expect(okOne?.kind).toBe('events');
    expect(badOne?.kind).toBe('invalid');
    const r = await convert(['--from', 'marqeta', '--card-bin', BIN6, file(JSON.stringify(input))]);
    expect(r.code).toBe(1);
    expect(outLines(r.stdout)).toEqual(okOne?.kind === 'events' ? okOne.events : []);
    expect(r.stderr).toMatch(/^record 1 transaction 1 \(\S+\): error .*attributes\.userId/m);
    expect(r.stderr).not.toMatch(/^record 1 transaction 0/m);
  });

  it('a truncated .gz: the records before the damage are converted, then exit 1 naming where it ends', async () => {
    const whole = gzipSync(ndjson(Array.from({ length: 400 }, (_, i) => stripeAuthorization(600 + i))));
    const cut = file('', 'ndjson.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = await convert(['--from', 'stripe-issuing', '--card-bin', BIN6, cut]);
    expect(r.code).toBe(1);
    const written = outLines(r.stdout).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(400);
    expect(r.stderr).toMatch(/the gzip data ends early, at byte \d+ of the compressed input/);
    expect(r.stderr).toContain(`the ${written} records before it were converted`);
  });

  it('runConvert itself refuses a processor it does not know (for programmatic callers)', async () => {
    const { stdout, stderr } = capturedOutput();
    const io: Io = { stdout, stderr, stdin: new PassThrough(), env: {} };
    await expect(runConvert('-', { from: 'adyen' as Processor }, io)).rejects.toThrow(
      '--from must be one of stripe-issuing, lithic, marqeta (got "adyen")',
    );
  });
});

describe('kard transactions convert … | kard transactions send -', () => {
  it('the converted events are exactly what send reads: every one accepted by the mock Kard once', async () => {
    const events = [stripeAuthorization(20), stripeCardCreated, stripeAuthorization(21)];
    const input = file(JSON.stringify(events));
    const convertChild = start(
      ['transactions', 'convert', '--from', 'stripe-issuing', '--card-bin', BIN6, input],
      {
        env,
      },
    );
    const sendChild = track(
      spawn(process.execPath, [BIN, 'transactions', 'send', '-', '--json', '--no-progress'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    // The shell's pipe: convert's stdout is send's stdin.
    convertChild.stdout!.pipe(sendChild.stdin!);
    const [c, s] = await Promise.all([collect(convertChild), collect(sendChild)]);
    expect(c.code).toBe(0);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ records: 2, accepted: 2, invalid: 0, rejected: 0 });
    const ids = [events[0], events[2]].map(
      (e) => mapped(fromStripeIssuing(e, { cardBin: BIN6 }))[0]?.id as string,
    );
    for (const id of ids) expect(mock.eventCount(id), id).toBe(1);
  });

  it('--legacy output goes through send to the legacy endpoint (POST /transactions/incoming)', async () => {
    const before = mock.stats().legacyIncoming.accepted;
    const converted = await convert([
      '--from',
      'stripe-issuing',
      '--card-bin',
      BIN6,
      '--legacy',
      file(JSON.stringify([stripeAuthorization(30)])),
    ]);
    expect(converted.code).toBe(0);
    const sent = await runIn(['transactions', 'send', '-', '--json'], { env, input: converted.stdout });
    expect(sent.code).toBe(0);
    expect(mock.stats().legacyIncoming.accepted).toBe(before + 1);
  });
});

// The processors' own fixtures (packages/processors/test/fixtures/<processor>/*.json): whatever each
// mapping makes of a fixture, the CLI writes (events) or reports (skip, invalid), record by record.
const FIXTURES = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/processors/test/fixtures',
);
/** One result per transaction of a record, as the CLI maps it (a Marqeta webhook can carry several). */
const MAPPERS: Record<string, (event: unknown, opts?: MapOptions) => MapResult[]> = {
  'stripe-issuing': (e, o) => [fromStripeIssuing(e, o)],
  lithic: (e, o) => [fromLithic(e, o)],
  marqeta: fromMarqetaEach,
};

describe.each(Object.keys(MAPPERS))('the %s fixtures of @kardkit/processors', (processor) => {
  const folder = join(FIXTURES, processor);
  const names = existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  it('each fixture file converts to what the mapping returns', async () => {
    expect(names.length, folder).toBeGreaterThan(0);
    const results: MapResult[] = [];
    for (const name of names) {
      const path = join(folder, name);
      const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      // Cards the events name by id only get their last four digits from a --cards file.
      const cardIds = new Set<string>();
      const cardLastFour = (ref: CardholderRef) => {
        if (ref.cardId === undefined) return undefined;
        cardIds.add(ref.cardId);
        return '0000';
      };
      const own = (Array.isArray(value) ? value : [value]).map((e) =>
        MAPPERS[processor]!(e, { cardBin: BIN6, cardLastFour } as MapOptions),
      );
      results.push(...own.flat());
      const cards = file(JSON.stringify(Object.fromEntries([...cardIds].map((id) => [id, '0000']))));
      const r = await convert(['--from', processor, '--card-bin', BIN6, '--cards', cards, path]);
      expect(outLines(r.stdout), name).toEqual(
        own.flat().flatMap((x) => (x.kind === 'events' ? x.events : [])),
      );
      own.forEach((record, i) => {
        record.forEach((x, t) => {
          const at = record.length > 1 ? `record ${i + 1} transaction ${t}` : `record ${i + 1}`;
          if (x.kind === 'skip') expect(r.stderr, name).toContain(`${at}: skipped (${x.code}) ${x.reason}\n`);
          else if (x.kind === 'invalid')
            expect(r.stderr, name).toMatch(new RegExp(`^${at}( \\(\\S+\\))?: error `, 'm'));
          else expect(r.stderr, name).not.toMatch(new RegExp(`^${at}:`, 'm'));
        });
      });
      expect(r.code, name).toBe(own.flat().some((x) => x.kind === 'invalid') ? 1 : 0);
    }
    // The fixtures cover both sides: something for Kard and something not.
    expect(results.some((x) => x.kind === 'events')).toBe(true);
    expect(results.some((x) => x.kind === 'skip')).toBe(true);
  });
});
