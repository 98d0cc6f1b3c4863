// Compile-time checks of the resource tree typing (run by `pnpm typecheck`; each @ts-expect-error must fail to compile).
// The same checks on the BUILT declarations: test/dist-types/check.ts (compiled by test/package.test.ts).
import {
  type AuditRequestData,
  type CreateAuditsMultiStatusResponse,
  type CreateAuditsResponse,
  type CreateUsersMultiStatusResponse,
  type CreateUsersResponse,
  type FraudMarkersMultiStatusResponse,
  type FraudMarkersResponse,
  type FraudulentTransaction,
  type HistoricalTransaction,
  KardClient,
  type PartialResult,
  type TransactionEvent,
  type TransactionsMultiStatusResponse,
  type TransactionsResponse,
  type UploadPartMultiStatusResponse,
  type UploadPartResponse,
  type User,
} from '../src/index.js';
import { KardClient as LiteClient } from '../src/lite.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(_: T) => _;

const kard = new KardClient({ token: 't' });
const lite = new LiteClient({ token: 't' });
async function check() {
  // @ts-expect-error page[size] is a number
  kard.users.offers.list('u', { 'page[size]': 'x' });
  kard.users.offers.list('u', { 'page[size]': 5 });
  // @ts-expect-error the userId is required
  kard.users.get();
  const r = await kard.transactions.create([]);
  const n: number = r.accepted.length;
  const u = await kard.users.get('u');
  const id: string = u.data.id;
  for await (const o of kard.users.offers.list('u')) {
    const t: string = o.type;
    void t;
  }
  // @ts-expect-error bodies are typed
  await kard.subscriptions.create({ data: [{ type: 'nope' }] });

  // Every 207-capable operation is declared as what it resolves to at run time: a PartialResult of
  // the request items and the response body (never the bare response body).
  expectTrue<
    Equal<typeof r, PartialResult<TransactionEvent, TransactionsResponse | TransactionsMultiStatusResponse>>
  >(true);
  const users = await kard.users.create([]);
  expectTrue<Equal<typeof users, PartialResult<User, CreateUsersResponse | CreateUsersMultiStatusResponse>>>(
    true,
  );
  const fraud = await kard.transactions.createFraudMarkers([]);
  expectTrue<
    Equal<
      typeof fraud,
      PartialResult<FraudulentTransaction, FraudMarkersResponse | FraudMarkersMultiStatusResponse>
    >
  >(true);
  const audits = await kard.users.audits.create('u', []);
  expectTrue<
    Equal<
      typeof audits,
      PartialResult<AuditRequestData, CreateAuditsResponse | CreateAuditsMultiStatusResponse>
    >
  >(true);
  const part = await kard.users.uploads.createPart('u', 'up', []);
  expectTrue<
    Equal<
      typeof part,
      PartialResult<HistoricalTransaction, UploadPartResponse | UploadPartMultiStatusResponse>
    >
  >(true);
  // The {data} form resolves to the same, and so does the lite entry.
  expectTrue<Equal<Awaited<ReturnType<typeof kard.users.create>>, typeof users>>(true);
  expectTrue<Equal<Awaited<ReturnType<typeof lite.transactions.create>>, typeof r>>(true);
  // @ts-expect-error a PartialResult is not the raw response body
  const body: TransactionsResponse = r;
  // Non-207 operations still resolve to their response body.
  expectTrue<Equal<typeof u, Awaited<ReturnType<typeof kard.users.get>>>>(true);
  return [n, id, body];
}
void check;
