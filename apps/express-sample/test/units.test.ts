import { describe, expect, it } from 'vitest';
import { ConfigError, hasNoKardConfig, loadConfig } from '../src/config.js';
import { legacyEventId } from '../src/intake.js';
import { createLogger, scrub } from '../src/logger.js';
import { logSink, TEST_API_KEY } from './helpers.js';

const full = {
  KARD_CLIENT_ID: 'id',
  KARD_CLIENT_SECRET: 'shh-client',
  KARD_ORGANIZATION_ID: 'org',
  KARD_WEBHOOK_SECRET: 'shh-webhook',
  KARD_ENVIRONMENT: 'sandbox',
  SAMPLE_API_KEYS: TEST_API_KEY,
};

describe('configuration from the environment', () => {
  it('names every missing variable in one message, and no secret value', () => {
    try {
      loadConfig({ KARD_CLIENT_SECRET: 'shh-client', PORT: 'eighty' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of [
        'KARD_CLIENT_ID',
        'KARD_ORGANIZATION_ID',
        'KARD_WEBHOOK_SECRET',
        'KARD_BASE_URL or KARD_ENVIRONMENT',
        'PORT',
      ]) {
        expect(message).toContain(name);
      }
      expect(message).not.toContain('KARD_CLIENT_SECRET is missing');
      expect(message).not.toContain('shh-client');
    }
  });

  it('accepts a complete environment; DATABASE_URL selects PostgreSQL', () => {
    const c = loadConfig({ ...full, DATABASE_URL: 'postgres://u@127.0.0.1/db', PORT: '8080' });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: 'postgres://u@127.0.0.1/db' });
    expect(c.kard).toMatchObject({ environment: 'sandbox', clientId: 'id', organizationId: 'org' });
    expect(c.dataDir).toBeUndefined(); // PostgreSQL: no embedded database
    expect(loadConfig(full).dataDir).toBe('.kard-data/express-sample'); // durable by default
    expect(loadConfig({ ...full, PGLITE_DATA_DIR: 'memory' }).dataDir).toBeUndefined();
    expect(() => loadConfig({ ...full, KARD_ENVIRONMENT: 'staging' })).toThrow(/KARD_ENVIRONMENT/);
    expect(() => loadConfig({ ...full, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(hasNoKardConfig({})).toBe(true);
    expect(hasNoKardConfig({ KARD_CLIENT_ID: 'x' })).toBe(false);
  });
});

describe('log redaction', () => {
  it('masks secrets, tokens and card data by key, and PAN-like digit runs anywhere', () => {
    const sink = logSink();
    const logger = createLogger({ destination: sink.stream });
    logger.info(
      {
        headers: { authorization: 'Bearer abc.def' },
        clientSecret: 'shh-client',
        config: { webhookSecret: 'shh-webhook' },
        access_token: 'tok-123',
        event: {
          attributes: { cardBIN: '411111', cardLastFour: '4242', note: 'card 4111 1111 1111 1111 used' },
        },
      },
      'charged 4111111111111111',
    );
    const line = sink.lines.join('\n');
    for (const secret of [
      'abc.def',
      'shh-client',
      'shh-webhook',
      'tok-123',
      '411111',
      '4242',
      '4111 1111',
      '4111111111111111',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[REDACTED]');
    expect(scrub({ amount: 1250, id: 'evt-1' })).toEqual({ amount: 1250, id: 'evt-1' }); // ordinary fields untouched
  });
});

describe('legacy event ids', () => {
  it('are stable across key order and differ between lifecycle events of one transaction', () => {
    const approved = { transactionId: 't', status: 'APPROVED', amount: 1 };
    expect(legacyEventId(approved)).toBe(
      legacyEventId({ amount: 1, status: 'APPROVED', transactionId: 't' }),
    );
    expect(legacyEventId(approved)).not.toBe(legacyEventId({ ...approved, status: 'SETTLED' }));
  });
});
