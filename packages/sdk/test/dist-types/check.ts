// Compile-time checks of the BUILT declarations (dist/*.d.ts), as issuers' apps see them. Not part of
// `pnpm typecheck` (dist may not exist yet); test/package.test.ts compiles this file after the build.
import {
  type CreateUsersMultiStatusResponse,
  type CreateUsersResponse,
  KardClient,
  type PartialResult,
  type TransactionEvent,
  type TransactionsMultiStatusResponse,
  type TransactionsResponse,
  type User,
} from '@kardkit/sdk';
import { KardClient as LiteClient } from '@kardkit/sdk/lite';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(_: T) => _;

const kard = new KardClient({ token: 't' });
const lite = new LiteClient({ token: 't' });
export async function check() {
  // 207-capable operations resolve to PartialResult, in the main and the lite entry.
  const tx = await kard.transactions.create([]);
  expectTrue<
    Equal<typeof tx, PartialResult<TransactionEvent, TransactionsResponse | TransactionsMultiStatusResponse>>
  >(true);
  const users = await kard.users.create([]);
  expectTrue<Equal<typeof users, PartialResult<User, CreateUsersResponse | CreateUsersMultiStatusResponse>>>(
    true,
  );
  const liteTx = await lite.transactions.create([]);
  expectTrue<Equal<typeof liteTx, typeof tx>>(true);
  // @ts-expect-error a PartialResult is not the raw response body
  const raw: TransactionsResponse = tx;
  return raw;
}
