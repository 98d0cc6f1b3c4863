/** Stands for a line longer than the record limit: its text was dropped while it was read. */
export const TOO_LONG: unique symbol = Symbol('line longer than the record limit');
export type Line = string | typeof TOO_LONG;

/** True when `s` takes more than `max` bytes as UTF-8 (a UTF-16 unit is at most 3 bytes). */
function overLimit(s: string, max: number): boolean {
  return s.length > max || (s.length * 3 > max && Buffer.byteLength(s) > max);
}

/**
 * Fast line splitting over a byte stream. Yields ARRAYS of lines per input chunk so the
 * consumer pays one await per chunk, not per record (the send path handles ~10^6 lines).
 * A line longer than `maxBytes` comes out as TOO_LONG: once it passes the limit its text is no
 * longer kept, only scanned for its end, so memory is bounded by the chunk size plus `maxBytes`
 * whatever the input (a 200 MB single line costs no more than a 1 MB one).
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer | string>,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  /** inside a line already known to be too long */
  let skipping = false;
  let first = true;
  const line = (s: string): Line => (overLimit(s, maxBytes) ? TOO_LONG : s);
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
      first = false;
    }
    const out: Line[] = [];
    if (skipping || rest.length > 0) {
      // Only the new text is searched for the end of the pending line (never the pending text again).
      const nl = text.indexOf('\n');
      if (nl === -1) {
        if (!skipping) {
          rest += text;
          if (overLimit(rest, maxBytes)) {
            skipping = true;
            rest = '';
          }
        }
        continue;
      }
      out.push(skipping ? TOO_LONG : line(rest + text.slice(0, nl)));
      skipping = false;
      rest = '';
      text = text.slice(nl + 1);
    }
    const lines = text.split('\n');
    const last = lines.pop() ?? '';
    for (const l of lines) out.push(line(l));
    if (overLimit(last, maxBytes)) skipping = true;
    else rest = last;
    if (out.length > 0) yield out;
  }
  rest += decoder.decode();
  if (skipping) yield [TOO_LONG];
  else if (rest.length > 0) yield [line(rest)];
}
