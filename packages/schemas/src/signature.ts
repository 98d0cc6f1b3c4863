/**
 * Webhook signature primitives (R106): `notify-signature` = base64(HMAC-SHA256(raw body, webhook key)).
 * Web Crypto only (globalThis.crypto.subtle), so this runs in Node ≥ 20, browsers, workers and edge runtimes.
 */

const encoder = new TextEncoder();

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new Error('Web Crypto (globalThis.crypto.subtle) is not available in this runtime');
  return c.subtle;
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

async function hmac(body: string | Uint8Array, secret: string): Promise<Uint8Array> {
  const s = subtle();
  const key = await s.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const sig = await s.sign('HMAC', key, toBytes(body) as BufferSource);
  return new Uint8Array(sig);
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin);
}

function fromBase64(s: string): Uint8Array | null {
  const clean = s.trim();
  if (clean.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return null;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Base64 HMAC-SHA256 of the exact bytes of `rawBody`, keyed with the webhook secret. */
export async function signWebhookBody(rawBody: string | Uint8Array, secret: string): Promise<string> {
  return toBase64(await hmac(rawBody, secret));
}

/**
 * True when `signature` (base64, as sent in `notify-signature`) is the HMAC-SHA256 of the exact raw body.
 * The decoded bytes are compared in constant time. Never throws for a malformed signature: returns false.
 */
export async function verifyWebhookBodySignature(
  rawBody: string | Uint8Array,
  signature: string,
  secret: string,
): Promise<boolean> {
  if (typeof signature !== 'string') return false;
  const expected = await hmac(rawBody, secret);
  const given = fromBase64(signature);
  if (given === null) return false;
  // Constant time: always walk the full expected length; a length mismatch still fails.
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (given[i] ?? 0);
  return diff === 0;
}
