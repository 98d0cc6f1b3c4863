import type { FaultConfig, FaultStep } from './types.js';

/** mulberry32: small, fast, seedable PRNG so `rate` faults are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  latencyMs: number;
  step: FaultStep | undefined;
}

export function validateFaultConfig(cfg: unknown): string | null {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return 'fault config must be an object';
  const c = cfg as Record<string, unknown>;
  if (c.sequence !== undefined && !Array.isArray(c.sequence)) return 'sequence must be an array';
  if (c.rate !== undefined && (typeof c.rate !== 'number' || c.rate < 0 || c.rate > 1))
    return 'rate must be a number between 0 and 1';
  if (c.latencyMs !== undefined && (typeof c.latencyMs !== 'number' || c.latencyMs < 0))
    return 'latencyMs must be a non-negative number';
  if (c.match !== undefined && typeof c.match !== 'string') return 'match must be a string';
  if (c.seed !== undefined && typeof c.seed !== 'number') return 'seed must be a number';
  for (const s of [...((c.sequence as unknown[]) ?? []), ...(c.step === undefined ? [] : [c.step])]) {
    if (s === null || typeof s !== 'object') return 'each fault step must be an object';
    const step = s as Record<string, unknown>;
    const ok =
      (typeof step.status === 'number' && step.status >= 100 && step.status <= 599) ||
      step.drop === true ||
      (typeof step.latencyMs === 'number' && step.latencyMs >= 0);
    if (!ok) return 'a fault step is {status}, {drop: true} or {latencyMs}';
    if (step.raw !== undefined && typeof step.raw !== 'string')
      return "a fault step's raw body must be a string";
  }
  return null;
}

/** Decides, per request, whether a fault applies. Cheap when no faults are configured. */
export class FaultController {
  private cfg: FaultConfig | null = null;
  private queue: FaultStep[] = [];
  private random: () => number = Math.random;

  set(cfg: FaultConfig): void {
    const err = validateFaultConfig(cfg);
    if (err) throw new TypeError(`invalid fault config: ${err}`);
    this.cfg = { ...cfg };
    this.queue = [...(cfg.sequence ?? [])];
    this.random = cfg.seed === undefined ? Math.random : prng(cfg.seed);
  }

  clear(): void {
    this.cfg = null;
    this.queue = [];
  }

  /** The configuration in force (with what is left of its sequence), or null. */
  config(): FaultConfig | null {
    return this.cfg ? { ...structuredClone(this.cfg), sequence: structuredClone(this.queue) } : null;
  }

  get active(): boolean {
    return this.cfg !== null;
  }

  /** Which paths are subject to faults (see FaultConfig.match). */
  private matches(path: string): boolean {
    if (path.startsWith('/__admin')) return false;
    const m = this.cfg?.match;
    if (m !== undefined) return path.includes(m);
    if (path === '/v2/auth/token') return false;
    return path.startsWith('/v2/') || path === '/ping' || path === '/transactions/incoming';
  }

  decide(path: string): FaultDecision | null {
    const cfg = this.cfg;
    if (cfg === null || !this.matches(path)) return null;
    let step: FaultStep | undefined = this.queue.shift();
    if (step === undefined && cfg.rate !== undefined && cfg.rate > 0 && this.random() < cfg.rate) {
      step = cfg.step ?? { status: 503 };
    }
    if (step === undefined && !cfg.latencyMs) return null;
    return { latencyMs: cfg.latencyMs ?? 0, step };
  }
}
