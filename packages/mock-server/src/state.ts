// The sandbox's state on disk (`stateFile`): users, transactions, rewards, subscriptions and
// notifications survive a restart. Written atomically (temporary file + rename, mode 0600) a moment
// after each change and once more on close.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MockCore, ReceivedTransaction, RewardRecord, Subscription, UserRecord } from './core.js';
import { OFFERS_BY_ID } from './fixtures.js';
import type { MockStats } from './types.js';
import type { NotificationRecord } from './webhooks.js';

export const STATE_VERSION = 1;

/** What a state file holds besides the store: the credentials, so apps keep working across restarts. */
export interface StateCredentials {
  organizationId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

interface StoredReward extends Omit<RewardRecord, 'offer'> {
  offerId: string;
}

export interface StateFile {
  version: number;
  savedAt: string;
  credentials: StateCredentials;
  users: UserRecord[];
  transactions: {
    accepted: string[];
    extraArrivals: [string, number][];
    legacySeen: string[];
    fraudulent: string[];
    audits: [string, [string, string][]][];
    received: ReceivedTransaction[];
  };
  rewards: { keys: string[]; list: StoredReward[] };
  subscriptions: Subscription[];
  notifications: NotificationRecord[];
  stats: MockStats;
}

export function snapshot(core: MockCore): StateFile {
  const o = core.opts;
  return {
    version: STATE_VERSION,
    savedAt: new Date().toISOString(),
    credentials: {
      organizationId: o.organizationId,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      webhookSecret: o.webhookSecret,
    },
    users: [...core.users.values()],
    transactions: {
      accepted: [...core.accepted],
      extraArrivals: [...core.extraArrivals],
      legacySeen: [...core.legacySeen],
      fraudulent: [...core.fraudulent],
      audits: [...core.audits].map(([user, m]) => [user, [...m]]),
      received: core.received,
    },
    rewards: {
      keys: [...core.rewardKeys],
      list: [...core.rewards.values()].flat().map(({ offer, ...r }) => ({ ...r, offerId: offer.id })),
    },
    subscriptions: [...core.subscriptions.values()],
    notifications: core.dispatcher.log,
    stats: core.stats,
  };
}

/** Reads a state file; undefined when it does not exist. Throws with the file name when it is unreadable. */
export function readStateFile(path: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the state file ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`the state file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const d = data as Partial<StateFile> | null;
  if (!d || typeof d !== 'object' || d.version !== STATE_VERSION || !d.credentials || !Array.isArray(d.users))
    throw new Error(
      `the state file ${path} is not a kardkit sandbox state (version ${STATE_VERSION}); move it away or choose another --state file`,
    );
  return d as StateFile;
}

export function restore(core: MockCore, s: StateFile): void {
  for (const u of s.users) core.users.set(u.id, u);
  const t = s.transactions;
  for (const id of t.accepted) core.accepted.add(id);
  for (const [id, n] of t.extraArrivals) core.extraArrivals.set(id, n);
  for (const k of t.legacySeen) core.legacySeen.add(k);
  for (const id of t.fraudulent) core.fraudulent.add(id);
  for (const [user, list] of t.audits) core.audits.set(user, new Map(list));
  core.received.push(...t.received);
  for (const k of s.rewards.keys) core.rewardKeys.add(k);
  for (const { offerId, ...r } of s.rewards.list) {
    const offer = OFFERS_BY_ID.get(offerId);
    if (!offer) continue;
    let list = core.rewards.get(r.userId);
    if (!list) {
      list = [];
      core.rewards.set(r.userId, list);
    }
    list.push({ ...r, offer });
  }
  core.subscriptions.clear();
  for (const sub of s.subscriptions) core.subscriptions.set(sub.id, sub);
  core.dispatcher.restore(s.notifications);
  core.stats = s.stats;
}

/** Writes `data` to `path` atomically: a temporary file in the same directory, fsync, rename (mode 0600). */
export function writeAtomic(path: string, data: string): void {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Saves the state a short while after each change (one write per burst) and on `flush()`. */
export class StateSaver {
  private timer: NodeJS.Timeout | null = null;
  private readonly onChange = () => this.schedule();

  constructor(
    private readonly core: MockCore,
    private readonly path: string,
    private readonly debounceMs: number,
    private readonly onError: (err: Error) => void,
  ) {
    core.events.on('change', this.onChange);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  save(): void {
    try {
      writeAtomic(this.path, JSON.stringify(snapshot(this.core)));
    } catch (e) {
      this.onError(e as Error);
    }
  }

  /** Stops listening and writes the final state. */
  close(): void {
    this.core.events.off('change', this.onChange);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.save();
  }
}
