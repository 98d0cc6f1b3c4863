// How fast apps/express-sample's forwarder drains its outbox to Kard (the mock), each side a
// process of its own (bench/sample-side.mjs), rounds alternating between the sides:
//   sample_drain_vs_mock_ratio           forwarder events/s on PostgreSQL ÷ the mock's own ingest
//                                        events/s (500-event batches, pre-serialised) in the same run
//   sample_drain_events_per_s_postgres / _pglite   the same drains, as rates
//   sample_drain_events_per_s_latency50  the mock answering after 50 ms (a remote Kard), one
//                                        forwarder with its default settings, PostgreSQL
//   sample_forwarders_4_vs_1_ratio       50 ms latency, one request in flight per forwarder: four
//                                        forwarder processes on one PostgreSQL outbox ÷ one
//   sample_pglite_ready_ms               a fresh PGlite directory opened and migrated
// Each figure is the median of ROUNDS rounds (KARD_BENCH_ROUNDS, default 3); the spread (min–max) is
// printed. PostgreSQL comes from KARDKIT_TEST_PG_URL, or scripts/start-test-postgres.sh starts one.
// KARD_BENCH_PARTS (comma-separated: cpu, latency, scale, ready) runs only those parts; default all.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.KARD_BENCH_ROUNDS ?? 3);
const N_CPU = 50_000; // events per drain round without latency
const N_INGEST = 100_000;
const N_LATENCY = 100_000;
const N_SCALE = 40_000;
const PARTS = new Set((process.env.KARD_BENCH_PARTS ?? 'cpu,latency,scale,ready').split(','));

/** A side process; `next()` resolves with its next `@@ {json}` line. */
function side(args) {
  const child = spawn(process.execPath, [join(here, 'sample-side.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const queue = [];
  const waiting = [];
  let exited = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('@@ ')) return;
    const value = JSON.parse(line.slice(3));
    const w = waiting.shift();
    if (w) w.resolve(value);
    else queue.push(value);
  });
  child.on('exit', (code) => {
    exited = code;
    for (const w of waiting.splice(0)) w.reject(new Error(`${args[0]} side exited with ${code}`));
  });
  return {
    child,
    next() {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      if (exited !== null) return Promise.reject(new Error(`${args[0]} side exited with ${exited}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    async stop() {
      if (exited !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await done;
    },
  };
}

const once = async (args) => {
  const s = side(args);
  try {
    return await s.next();
  } finally {
    await s.stop();
  }
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The spread of a figure, as `<name>_min` and `<name>_max` numbers beside it. */
function withSpread(figures, name, xs, digits) {
  const round = (x) => Number(x.toFixed(digits));
  figures[`${name}_min`] = round(Math.min(...xs));
  figures[`${name}_max`] = round(Math.max(...xs));
}
const spread = (xs) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;

export async function run() {
  const pg =
    process.env.KARDKIT_TEST_PG_URL ??
    execFileSync('bash', [join(here, '../scripts/start-test-postgres.sh')], { encoding: 'utf8' }).trim();
  const figures = {};
  const scratch = mkdtempSync(join(tmpdir(), 'kard-drain-bench-'));
  const mock = side(['mock', '0']);
  const slow = side(['mock', '50']);
  try {
    const conn = JSON.stringify(await mock.next());
    const slowConn = JSON.stringify(await slow.next());

    // 1. CPU efficiency: mock ingest, PostgreSQL drain and PGlite drain, alternating.
    if (PARTS.has('cpu')) {
      const ingest = [];
      const drainPg = [];
      const drainLite = [];
      const ratio = [];
      for (let r = 0; r < ROUNDS; r++) {
        const i = await once(['ingest', conn, String(N_INGEST)]);
        const p = await once(['drain', conn, pg, String(N_CPU)]);
        const l = await once(['drain', conn, join(scratch, `lite-${r}`), String(N_CPU / 5)]);
        ingest.push(i.eventsPerS);
        drainPg.push(p.eventsPerS);
        drainLite.push(l.eventsPerS);
        ratio.push(p.eventsPerS / i.eventsPerS);
        console.log(
          `round ${r + 1}: mock ingest ${i.eventsPerS.toFixed(0)}/s, drain postgres ${p.eventsPerS.toFixed(0)}/s (${p.cpuUsPerEvent.toFixed(1)} µs CPU/event), pglite ${l.eventsPerS.toFixed(0)}/s`,
        );
      }
      figures.sample_drain_vs_mock_ratio = Number(median(ratio).toFixed(3));
      withSpread(figures, 'sample_drain_vs_mock_ratio', ratio, 3);
      figures.sample_drain_events_per_s_postgres = Math.round(median(drainPg));
      figures.sample_drain_events_per_s_pglite = Math.round(median(drainLite));
      figures.sample_drain_mock_ingest_events_per_s = Math.round(median(ingest));
      console.log(
        `sample_drain_vs_mock_ratio ${figures.sample_drain_vs_mock_ratio} (spread ${spread(ratio)})`,
      );
    }

    // 2. A remote Kard: 50 ms per request, one forwarder, default settings.
    if (PARTS.has('latency')) {
      const remote = [];
      for (let r = 0; r < ROUNDS; r++)
        remote.push((await once(['drain', slowConn, pg, String(N_LATENCY)])).eventsPerS);
      figures.sample_drain_events_per_s_latency50 = Math.round(median(remote));
      withSpread(figures, 'sample_drain_events_per_s_latency50', remote, 0);
      console.log(
        `latency 50 ms: ${remote.map((x) => x.toFixed(0)).join(', ')} events/s (median ${figures.sample_drain_events_per_s_latency50})`,
      );
    }

    // 3. Scale-out on one outbox: 4 forwarder processes vs 1, one request in flight each.
    if (PARTS.has('scale')) {
      const scale = [];
      for (let r = 0; r < ROUNDS; r++) {
        const rates = {};
        for (const k of [1, 4]) {
          await once(['fill', pg, String(N_SCALE), `scale-${r}-${k}-${Date.now()}`]);
          slow.send('stats');
          const before = (await slow.next()).transactions;
          // The first worker also watches for the end (sample-side.mjs, worker).
          const workers = Array.from({ length: k }, (_, i) =>
            side(['worker', slowConn, pg, '1', ...(i === 0 ? ['watch'] : [])]),
          );
          await Promise.all(workers.map((w) => w.next())); // ready
          const started = Date.now();
          for (const w of workers) w.send('go');
          await workers[0].next(); // drained
          rates[k] = N_SCALE / ((Date.now() - started) / 1000);
          for (const w of workers.slice(1)) w.send('stop');
          await Promise.all(workers.map((w) => w.next())); // stopped
          await Promise.all(workers.map((w) => w.stop()));
          slow.send('stats');
          const after = (await slow.next()).transactions;
          const accepted = after.accepted - before.accepted;
          const duplicates = after.duplicates - before.duplicates;
          if (accepted !== N_SCALE || duplicates !== 0) {
            throw new Error(`${k} forwarders: ${accepted} events accepted, ${duplicates} sent twice`);
          }
        }
        scale.push(rates[4] / rates[1]);
        console.log(`forwarders: 1 → ${rates[1].toFixed(0)}/s, 4 → ${rates[4].toFixed(0)}/s`);
      }
      figures.sample_forwarders_4_vs_1_ratio = Number(median(scale).toFixed(2));
      withSpread(figures, 'sample_forwarders_4_vs_1_ratio', scale, 3);
      console.log(
        `sample_forwarders_4_vs_1_ratio ${figures.sample_forwarders_4_vs_1_ratio} (spread ${spread(scale)})`,
      );
    }

    // 4. A fresh PGlite directory, in a fresh process each time.
    if (PARTS.has('ready')) {
      const ready = [];
      for (let r = 0; r < ROUNDS; r++)
        ready.push((await once(['ready', join(scratch, `ready-${r}`)])).readyMs);
      figures.sample_pglite_ready_ms = Math.round(median(ready));
      withSpread(figures, 'sample_pglite_ready_ms', ready, 0);
      console.log(`pglite ready: ${ready.map((x) => x.toFixed(0)).join(', ')} ms`);
    }
  } finally {
    await mock.stop();
    await slow.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
