import { readFileSync } from 'node:fs';
import { rules } from '@kardkit/schemas';
import { hashEmail, KardWebhookSignatureError, signWebhook, verifyWebhook } from '@kardkit/sdk';
import { CliError, EXIT, UsageError } from '../errors.js';
import { type Io, paint, table, useColor, writeJson } from '../output.js';

export async function readAllInput(file: string, io: Io): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin as AsyncIterable<Buffer | string>) {
      chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
    }
    return Buffer.concat(chunks);
  }
  try {
    return readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(
      err.code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${err.message}`,
    );
  }
}

export function runRules(ids: string[], opts: { json?: boolean; enforced?: boolean }, io: Io): number {
  let list = [...rules];
  if (ids.length > 0) {
    const wanted = new Set(ids.map((i) => i.toUpperCase()));
    const unknown = [...wanted].filter((w) => !list.some((r) => r.id === w));
    if (unknown.length > 0)
      throw new UsageError(`unknown rule id: ${unknown.join(', ')} (rules are R1…R${rules.length})`);
    list = list.filter((r) => wanted.has(r.id));
  }
  if (opts.enforced) list = list.filter((r) => r.enforced);
  if (opts.json) {
    writeJson(io, list);
    return EXIT.ok;
  }
  const p = paint(useColor(io.stdout, io.env));
  const width = Math.max(40, (io.stdout.columns ?? 120) - 40);
  const rows = list.map((r) => [
    r.id,
    r.severity,
    r.enforced ? 'enforced' : 'info',
    r.appliesTo.length > 36 ? `${r.appliesTo.slice(0, 35)}…` : r.appliesTo,
    io.stdout.isTTY && r.summary.length > width ? `${r.summary.slice(0, width - 1)}…` : r.summary,
  ]);
  io.stdout.write(
    `${table(
      rows,
      ['RULE', 'SEVERITY', 'CHECK', 'APPLIES TO', 'SUMMARY'].map((h) => p.bold(h)),
    )}\n`,
  );
  return EXIT.ok;
}

/** What R42 expects of an email before it is hashed (the SDK's normalizeEmail rejects the rest). */
const EMAIL_EXPECTED = 'exactly one @ with text on both sides';

/**
 * Hashes each email (R42). An invalid address given as an argument is a usage error (exit 2) and
 * nothing is printed; read from stdin ('-'), each invalid line is reported on stderr with its line
 * number, the other lines are still hashed, and the exit code is 1 (a data problem).
 */
export async function runHem(emails: string[], opts: { json?: boolean }, io: Io): Promise<number> {
  const fromStdin = emails.length === 1 && emails[0] === '-';
  const list: { email: string; line: number }[] = fromStdin
    ? (await readAllInput('-', io))
        .toString('utf8')
        .split(/\r?\n/)
        .map((email, i) => ({ email, line: i + 1 }))
        .filter((e) => e.email.trim().length > 0)
    : emails.map((email, i) => ({ email, line: i + 1 }));
  const results: { email: string; hashedEmail: string }[] = [];
  const invalid: string[] = [];
  for (const { email, line } of list) {
    try {
      results.push({ email, hashedEmail: await hashEmail(email) });
    } catch {
      invalid.push(
        `${fromStdin ? `line ${line}: ` : ''}${JSON.stringify(email)} is not an email address (R42: ${EMAIL_EXPECTED})`,
      );
    }
  }
  if (!fromStdin && invalid.length > 0) throw new UsageError(invalid.join('; '));
  for (const msg of invalid) io.stderr.write(`kard: ${msg}\n`);
  if (opts.json) writeJson(io, results.length === 1 ? results[0] : results);
  else if (results.length === 1) io.stdout.write(`${results[0]!.hashedEmail}\n`);
  else if (results.length > 0)
    io.stdout.write(`${results.map((r) => `${r.hashedEmail}  ${r.email}`).join('\n')}\n`);
  return invalid.length > 0 ? EXIT.data : EXIT.ok;
}

export async function runWebhooksVerify(
  file: string,
  opts: { secret?: string; signature?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const secret = opts.secret ?? io.env.KARD_WEBHOOK_SECRET;
  if (!secret) throw new UsageError('a webhook secret is required: --secret <key> or KARD_WEBHOOK_SECRET');
  const rawBody = await readAllInput(file, io);
  const p = paint(useColor(io.stdout, io.env));
  if (!opts.signature) {
    // Without a signature to check, print the one the body should carry (R106: base64 HMAC-SHA256).
    const signature = await signWebhook(rawBody.toString('utf8'), secret);
    if (opts.json) writeJson(io, { signature });
    else io.stdout.write(`${signature}\n`);
    return EXIT.ok;
  }
  try {
    const event = (await verifyWebhook({
      rawBody: rawBody.toString('utf8'),
      signature: opts.signature,
      secret,
    })) as {
      data?: { type?: string; id?: string };
    };
    if (opts.json)
      writeJson(io, { valid: true, type: event?.data?.type ?? null, id: event?.data?.id ?? null, event });
    else
      io.stdout.write(
        `${p.green('signature valid')}${event?.data?.type ? `: ${event.data.type}${event.data.id ? ` ${event.data.id}` : ''}` : ''}\n`,
      );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof KardWebhookSignatureError) {
      if (opts.json) writeJson(io, { valid: false, error: 'signature mismatch' });
      // Never echo the secret; the signature itself is not secret.
      io.stderr.write(
        `kard: ${p.red('signature mismatch')}: the notify-signature does not match HMAC-SHA256 of this exact body with the given key (R106). Check that the body is byte-for-byte what was received and that the key is for the right environment (sandbox and production keys differ).\n`,
      );
      return EXIT.data;
    }
    const msg = (e as Error).message ?? String(e);
    throw new CliError(`webhook body rejected: ${msg.split(secret).join('***')}`, EXIT.data);
  }
}
