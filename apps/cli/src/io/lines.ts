/**
 * Fast line splitting over a byte stream. Yields ARRAYS of lines per input chunk so the
 * consumer pays one await per chunk, not per record (the send path handles ~10^6 lines).
 * Memory is bounded by the chunk size plus the longest line.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let first = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
      first = false;
    }
    if (rest) text = rest + text;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) yield lines;
  }
  rest += decoder.decode();
  if (rest.length > 0) yield [rest];
}
