// Compile-time checks of the resource tree typing (run by `pnpm typecheck`; each @ts-expect-error must fail to compile).
import { KardClient } from '../src/index.js';

const kard = new KardClient({ token: 't' });
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
  return [n, id];
}
void check;
