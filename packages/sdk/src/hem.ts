/**
 * Hashed email (HEM, R42) exactly like the official helper (vectors: test/fixtures/hem-test-vectors.json), on Web Crypto so it also runs
 * in edge runtimes: strip all whitespace, lowercase, require exactly one '@' that is neither first
 * nor last, normalise gmail.com/googlemail.com (drop +tag and dots, domain gmail.com), then SHA-256
 * of the UTF-8 bytes as lowercase hex.
 */
export function normalizeEmail(raw: string): string {
  if (typeof raw !== 'string') throw new TypeError(`Invalid email address: ${JSON.stringify(raw)}`);
  const email = raw.replace(/\s/g, '').toLowerCase();
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@') || at === email.length - 1) {
    throw new TypeError(`Invalid email address: ${JSON.stringify(raw)}`);
  }
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/** SHA-256 hex of the normalised email. Rejects (TypeError) on malformed input. */
export async function hashEmail(email: string): Promise<string> {
  const normalized = normalizeEmail(email);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(normalized));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}
