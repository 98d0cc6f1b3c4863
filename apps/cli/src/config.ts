import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';

export type Environment = 'production' | 'sandbox';

export interface Profile {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  organizationId?: string | undefined;
  environment?: Environment | undefined;
  baseUrl?: string | undefined;
}

export interface ConfigFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

export interface GlobalFlags {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  organizationId?: string | undefined;
  environment?: string | undefined;
  baseUrl?: string | undefined;
  profile?: string | undefined;
  config?: string | undefined;
}

export interface ResolvedConfig extends Profile {
  /** where each value came from, for `kard configure --show` style diagnostics */
  sources: Partial<Record<keyof Profile, 'flag' | 'env' | 'profile'>>;
  profileName: string;
  configPath: string;
}

/** $XDG_CONFIG_HOME/kard/config.json, else ~/.config/kard/config.json. */
export function configPath(env: NodeJS.ProcessEnv, override?: string): string {
  if (override) return override;
  if (env.KARD_CONFIG) return env.KARD_CONFIG;
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'kard', 'config.json');
}

export function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) return { profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the config file ${path}: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as ConfigFile).profiles !== 'object') {
    throw new UsageError(`the config file ${path} has no "profiles" object`);
  }
  return parsed as ConfigFile;
}

/** Writes the profile file with mode 0600 (it holds a client secret), atomically. */
export function writeConfigFile(path: string, cfg: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function checkEnvironment(v: string | undefined): Environment | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'production' || v === 'sandbox') return v;
  throw new UsageError(`unknown environment "${v}": use production or sandbox`);
}

/** flags > environment variables > profile file. */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv): ResolvedConfig {
  const path = configPath(env, flags.config);
  const file = readConfigFile(path);
  const profileName = flags.profile ?? env.KARD_PROFILE ?? file.defaultProfile ?? 'default';
  if ((flags.profile ?? env.KARD_PROFILE) && !file.profiles[profileName]) {
    throw new UsageError(
      `no profile "${profileName}" in ${path} (create it with: kard configure --profile ${profileName})`,
    );
  }
  const profile: Profile = file.profiles[profileName] ?? {};
  const fromEnv: Profile = {
    clientId: env.KARD_CLIENT_ID || undefined,
    clientSecret: env.KARD_CLIENT_SECRET || undefined,
    organizationId: env.KARD_ORGANIZATION_ID || undefined,
    environment: checkEnvironment(env.KARD_ENVIRONMENT),
    baseUrl: env.KARD_BASE_URL || undefined,
  };
  const fromFlags: Profile = {
    clientId: flags.clientId,
    clientSecret: flags.clientSecret,
    organizationId: flags.organizationId,
    environment: checkEnvironment(flags.environment),
    baseUrl: flags.baseUrl,
  };
  const out: ResolvedConfig = { sources: {}, profileName, configPath: path };
  for (const key of ['clientId', 'clientSecret', 'organizationId', 'environment', 'baseUrl'] as const) {
    const pick =
      fromFlags[key] !== undefined
        ? (['flag', fromFlags[key]] as const)
        : fromEnv[key] !== undefined
          ? (['env', fromEnv[key]] as const)
          : profile[key] !== undefined
            ? (['profile', profile[key]] as const)
            : undefined;
    if (pick) {
      (out as unknown as Record<string, unknown>)[key] = pick[1];
      out.sources[key] = pick[0];
    }
  }
  if (out.baseUrl !== undefined) {
    try {
      new URL(out.baseUrl);
    } catch {
      throw new UsageError(`invalid base URL: ${out.baseUrl}`);
    }
  }
  return out;
}

export function hasCredentials(c: Profile): boolean {
  return Boolean(c.clientId || c.clientSecret);
}
