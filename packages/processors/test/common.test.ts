import { describe, expect, it } from 'vitest';
import { isoFromProcessorTime } from '../src/common.js';
import { header, WebhookSignatureError } from '../src/errors.js';

describe('isoFromProcessorTime (R24: ISO 8601 with a zone)', () => {
  it('keeps the instant of a time with a zone: Z, ±hh:mm and ±hhmm', () => {
    expect(isoFromProcessorTime('2026-11-02T10:00:00Z')).toBe('2026-11-02T10:00:00.000Z');
    expect(isoFromProcessorTime('2026-11-02T10:00:00z')).toBe('2026-11-02T10:00:00.000Z');
    expect(isoFromProcessorTime('2026-11-02T10:00:00+05:30')).toBe('2026-11-02T04:30:00.000Z');
    expect(isoFromProcessorTime('2026-11-02T10:00:00-08:00')).toBe('2026-11-02T18:00:00.000Z');
    expect(isoFromProcessorTime('2026-11-02T10:00:00.250+0530')).toBe('2026-11-02T04:30:00.250Z');
  });

  it('reads a time without a zone as UTC, whatever the local zone of the process', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date('2026-11-02T10:00:00').getTimezoneOffset()).not.toBe(0); // the zone took effect
      expect(isoFromProcessorTime('2026-11-02T10:00:00')).toBe('2026-11-02T10:00:00.000Z');
      expect(isoFromProcessorTime('2026-11-02T10:00:00.5')).toBe('2026-11-02T10:00:00.500Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('passes on what is not a time as it is (the schemas then name the field)', () => {
    expect(isoFromProcessorTime('yesterday')).toBe('yesterday');
    expect(isoFromProcessorTime('2026-13-45T99:00:00+05:30')).toBe('2026-13-45T99:00:00+05:30');
  });
});

describe('webhook headers', () => {
  it('reads a header case-insensitively from either form; repeated values are joined with commas', () => {
    expect(header({ 'X-Marqeta-Signature': 'abc' }, 'x-marqeta-signature')).toBe('abc');
    expect(header({ 'stripe-signature': ['t=1', 'v1=2'] }, 'Stripe-Signature')).toBe('t=1,v1=2');
    expect(header(new Headers({ 'Webhook-Id': 'msg_1' }), 'webhook-id')).toBe('msg_1');
    expect(header({}, 'webhook-id')).toBeUndefined();
    expect(header(new Headers(), 'webhook-id')).toBeUndefined();
  });

  it('WebhookSignatureError names itself and the processor, never the secret', () => {
    const e = new WebhookSignatureError('lithic', 'no webhook-signature header');
    expect(e.name).toBe('WebhookSignatureError');
    expect(e).toBeInstanceOf(Error);
    expect(e.processor).toBe('lithic');
    expect(e.message).toBe('lithic webhook signature: no webhook-signature header');
  });
});
