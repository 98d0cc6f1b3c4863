import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { configPath, type Profile, readConfigFile, writeConfigFile } from '../config.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { Io } from '../output.js';

export interface ConfigureOptions {
  profile?: string;
  clientId?: string;
  clientSecret?: string;
  organizationId?: string;
  environment?: string;
  baseUrl?: string;
  config?: string;
  show?: boolean;
}

async function ask(
  io: Io,
  question: string,
  opts: { hidden?: boolean; current?: string | undefined },
): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) io.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: io.stdin as NodeJS.ReadableStream, output, terminal: true });
  const suffix = opts.current ? ` [${opts.hidden ? 'keep current' : opts.current}]` : '';
  let answered = false;
  const answer = await new Promise<string>((resolve, reject) => {
    // Ctrl-C at a prompt: nothing is saved, exit 130. Ctrl-D (end of input) before an answer: exit 2.
    rl.once('SIGINT', () => {
      io.stderr.write('\n');
      reject(new CliError('interrupted; nothing was saved', EXIT.interrupted));
    });
    rl.once('close', () => {
      if (!answered) reject(new UsageError('no answer (end of input); nothing was saved'));
    });
    rl.question(`${question}${suffix}: `, (a) => {
      answered = true;
      resolve(a);
    });
    muted = opts.hidden === true;
  }).finally(() => rl.close());
  if (opts.hidden) io.stderr.write('\n');
  return answer.trim();
}

/** Writes (or shows) a profile in the user's config file, mode 0600. Interactive on a TTY, flags otherwise. */
export async function runConfigure(opts: ConfigureOptions, io: Io): Promise<number> {
  const path = configPath(io.env, opts.config);
  const file = readConfigFile(path);
  const name = opts.profile ?? 'default';
  const current: Profile = file.profiles[name] ?? {};
  if (opts.show) {
    const shown = { ...current, clientSecret: current.clientSecret ? '(set)' : undefined };
    io.stdout.write(`${path} [${name}]\n${JSON.stringify(shown, null, 2)}\n`);
    return EXIT.ok;
  }
  const next: Profile = { ...current };
  const anyFlag =
    opts.clientId || opts.clientSecret || opts.organizationId || opts.environment || opts.baseUrl;
  if (anyFlag || !io.stdin.isTTY) {
    if (opts.clientId) next.clientId = opts.clientId;
    if (opts.clientSecret) next.clientSecret = opts.clientSecret;
    if (opts.organizationId) next.organizationId = opts.organizationId;
    if (opts.environment) next.environment = opts.environment as Profile['environment'];
    if (opts.baseUrl) next.baseUrl = opts.baseUrl;
    if (!anyFlag)
      throw new UsageError('not a terminal: pass the values as flags (--client-id, --client-secret, ...)');
  } else {
    next.clientId = (await ask(io, 'Client id', { current: current.clientId })) || current.clientId;
    next.clientSecret =
      (await ask(io, 'Client secret', { hidden: true, current: current.clientSecret })) ||
      current.clientSecret;
    next.organizationId =
      (await ask(io, 'Organization id', { current: current.organizationId })) || current.organizationId;
    const env =
      (await ask(io, 'Environment (sandbox|production)', { current: current.environment ?? 'sandbox' })) ||
      current.environment ||
      'sandbox';
    next.environment = env as Profile['environment'];
  }
  if (next.environment && next.environment !== 'sandbox' && next.environment !== 'production') {
    throw new UsageError(`unknown environment "${next.environment}": use production or sandbox`);
  }
  if (next.baseUrl) {
    try {
      new URL(next.baseUrl);
    } catch {
      throw new UsageError(`invalid base URL: ${next.baseUrl}`);
    }
  }
  file.profiles[name] = next;
  if (!file.defaultProfile) file.defaultProfile = name;
  writeConfigFile(path, file);
  io.stderr.write(`kard: saved profile "${name}" to ${path} (mode 0600)\n`);
  return EXIT.ok;
}
