import { NOTIFICATION_TYPE } from '@kardkit/schemas';
import type { GlobalFlags } from '../config.js';
import { EXIT, UsageError } from '../errors.js';
import { type Io, paint, useColor, writeJson } from '../output.js';
import { withSession } from '../session.js';
import { requireLocalSandbox } from './local-sandbox.js';

/** Every webhook of openapi/kard.yaml: the ten v2 NotificationType values and the legacy earned-reward webhook. */
export const TRIGGER_TYPES: readonly string[] = [...NOTIFICATION_TYPE, 'legacyEarnedReward'];

/**
 * `kard trigger <type> [--user ID]`: makes the local sandbox emit a sample webhook of `type`, signed
 * and delivered to the subscribed URLs (R106). Real Kard environments have no such endpoint.
 */
export async function runTrigger(
  type: string,
  opts: { user?: string; json?: boolean },
  flags: GlobalFlags,
  io: Io,
): Promise<number> {
  if (!TRIGGER_TYPES.includes(type))
    throw new UsageError(`unknown webhook type '${type}'; one of: ${TRIGGER_TYPES.join(', ')}`);
  return withSession(
    flags,
    io,
    async (session) => {
      requireLocalSandbox(session.baseUrl, 'kard trigger', 'no Kard environment emits webhooks on demand');
      const res = await session.client.request<{
        data: { id: string; attributes: { eventName: string; targets: string[] } };
      }>({
        method: 'POST',
        url: '/__sandbox/trigger',
        json: opts.user === undefined ? { type } : { type, userId: opts.user },
        auth: true,
      });
      const { id, attributes } = res.data.data;
      if (opts.json) {
        writeJson(io, { type, id, targets: attributes.targets });
        return EXIT.ok;
      }
      const p = paint(useColor(io.stdout, io.env));
      const n = attributes.targets.length;
      io.stdout.write(`${p.green('triggered')} ${type} ${id} → ${n} subscribed URL${n === 1 ? '' : 's'}\n`);
      if (n === 0)
        io.stderr.write(
          `kard: nothing is subscribed to ${type === 'legacyEarnedReward' ? 'earnedRewardApproved (the legacy webhook goes there)' : type}; run \`kard listen --forward-to URL\` or \`kard subscriptions create\`\n`,
        );
      return EXIT.ok;
    },
    { needsRunningSandbox: 'a throwaway sandbox would stop before any webhook arrives' },
  );
}
