import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NOTIFICATION_TYPE } from '@kardkit/schemas';
import { verifyWebhook } from '@kardkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWebhook, runListen } from '../src/commands/listen.js';
import { TRIGGER_TYPES } from '../src/commands/trigger.js';
import type { Io } from '../src/output.js';
import {
  capturedOutput,
  cleanEnv,
  type MockSandbox,
  runIn,
  tempDir,
  useMockSandbox,
  waitFor,
} from './helpers.js';

const SECRET = 'whsec_listen_test';
/** The issuer's app: verifies every webhook it gets with the SDK, answering 200 (or 500 for /fail). */
const got: { type: string; verified: boolean; headers: IncomingHttpHeaders }[] = [];
const app = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const rawBody = Buffer.concat(chunks);
    const legacy = !rawBody.toString().startsWith('{"data"');
    let verified = false;
    let type = 'unverified';
    try {
      const input = { rawBody, signature: req.headers['notify-signature'], secret: SECRET };
      if (legacy) {
        await verifyWebhook({ ...input, kind: 'legacy' });
        type = 'legacyEarnedReward';
      } else type = (await verifyWebhook(input)).data.type;
      verified = true;
    } catch {
      /* recorded as unverified */
    }
    got.push({ type, verified, headers: req.headers });
    res.writeHead(req.url === '/fail' ? 500 : 200);
    res.end();
  });
});
let appUrl = '';
beforeAll(async () => {
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => app.close(() => r())));

let sb: MockSandbox;
useMockSandbox({ webhookSecret: SECRET, webhookMaxAttempts: 1 }, (s) => {
  sb = s;
});

/** Runs `kard listen` in this process until `stop()`; `out()` is what it printed. */
function listen(args: { forwardTo: string; events?: string; json?: boolean }, env: NodeJS.ProcessEnv) {
  const { stdout, stderr, out, err } = capturedOutput();
  const io: Io = { stdout, stderr, stdin: Readable.from([]), env };
  const ac = new AbortController();
  const code = runListen(args, {}, io, ac.signal);
  return { code, out, err, stop: () => ac.abort() };
}

describe('kard listen --forward-to URL', () => {
  it('forwards every triggered type, signed: the app verifies each with the SDK; one line per delivery', async () => {
    got.length = 0;
    const l = listen({ forwardTo: `${appUrl}/hooks` }, sb.env);
    try {
      await waitFor(() => l.out().includes('Ready'), 'kard listen to be ready');
      for (const type of TRIGGER_TYPES) {
        const r = await runIn(['trigger', type, '--user', 'user-9'], { env: sb.env });
        expect(r.code).toBe(0);
      }
      await waitFor(() => got.length >= TRIGGER_TYPES.length, 'every webhook at the app');
      await waitFor(() => l.out().split(' → ').length > TRIGGER_TYPES.length, 'a line per delivery');
      expect(got.map((g) => g.type).sort()).toEqual([...TRIGGER_TYPES].sort());
      expect(got.every((g) => g.verified)).toBe(true);
      const lines = l
        .out()
        .split('\n')
        .filter((x) => / → /.test(x));
      expect(lines).toHaveLength(TRIGGER_TYPES.length);
      for (const type of TRIGGER_TYPES)
        expect(lines.some((x) => new RegExp(`  ${type}  \\S+  → 200  \\d+ms$`).test(x))).toBe(true);
      // the sandbox saw the app's answer
      const notes = await runIn(['notifications', 'list', '--json'], { env: sb.env });
      const list = JSON.parse(notes.stdout).data as { attributes: { status: string } }[];
      expect(list.length).toBe(NOTIFICATION_TYPE.length);
      expect(list.every((n) => n.attributes.status === 'delivered')).toBe(true);
    } finally {
      l.stop();
    }
    expect(await l.code).toBe(0);
    // its subscriptions are disabled when it stops
    const subs = await runIn(['subscriptions', 'list', '--json'], { env: sb.env });
    const parsed = JSON.parse(subs.stdout).data as { attributes: { enabled: boolean } }[];
    expect(parsed).toHaveLength(NOTIFICATION_TYPE.length);
    expect(parsed.every((s) => s.attributes.enabled === false)).toBe(true);
  });

  it('the app’s failure goes back to the sandbox; an unreachable app is 502 with the error; --json lines', async () => {
    // a port nothing listens on any more
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const l = listen({ forwardTo: `${appUrl}/fail`, events: 'clawback', json: true }, sb.env);
    const down = listen(
      { forwardTo: `http://127.0.0.1:${port}/none`, events: 'auditUpdate', json: true },
      sb.env,
    );
    try {
      await waitFor(() => l.err().includes('Ready') && down.err().includes('Ready'), 'both listeners');
      await runIn(['trigger', 'clawback'], { env: sb.env });
      await runIn(['trigger', 'auditUpdate'], { env: sb.env });
      await waitFor(() => l.out().includes('\n') && down.out().includes('\n'), 'one delivery each');
      expect(JSON.parse(l.out())).toMatchObject({ type: 'clawback', status: 500, ms: expect.any(Number) });
      expect(JSON.parse(down.out())).toMatchObject({
        type: 'auditUpdate',
        status: null,
        error: 'ECONNREFUSED',
      });
      const notes = await runIn(['notifications', 'list', '--json'], { env: sb.env });
      const list = JSON.parse(notes.stdout).data as {
        attributes: { eventName: string; statusCode?: number };
      }[];
      expect(list.find((n) => n.attributes.eventName === 'clawback')!.attributes.statusCode).toBe(500);
      expect(list.find((n) => n.attributes.eventName === 'auditUpdate')!.attributes.statusCode).toBe(502);
    } finally {
      l.stop();
      down.stop();
    }
    expect(await l.code).toBe(0);
    expect(await down.code).toBe(0);
  });

  it('bad arguments are usage errors (exit 2); without a running sandbox it says to start one', async () => {
    expect((await runIn(['listen', '--forward-to', 'not a url'], { env: sb.env })).code).toBe(2);
    expect((await runIn(['listen', '--forward-to', 'ftp://x/y'], { env: sb.env })).code).toBe(2);
    const badEvent = await runIn(['listen', '--forward-to', appUrl, '--events', 'nope'], { env: sb.env });
    expect(badEvent.code).toBe(2);
    expect(badEvent.stderr).toContain('unknown event nope');
    const t = tempDir();
    try {
      const r = await runIn(['listen', '--forward-to', appUrl], { env: cleanEnv(t.dir) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no sandbox running');
      expect(r.stderr).toContain('kard mock');
    } finally {
      t.cleanup();
    }
  });

  it('names v2, legacy and unreadable bodies for its output', () => {
    expect(describeWebhook(Buffer.from('{"data":{"type":"clawback","id":"n1"}}'))).toEqual({
      type: 'clawback',
      id: 'n1',
    });
    expect(describeWebhook(Buffer.from('{"user":{},"transaction":{"issuerTransactionId":"t9"}}'))).toEqual({
      type: 'legacyEarnedReward',
      id: 't9',
    });
    expect(describeWebhook(Buffer.from('nope'))).toEqual({ type: 'unknown', id: '-' });
  });
});
