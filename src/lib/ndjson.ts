/**
 * Reads newline-delimited JSON from a byte stream as it arrives: one parsed
 * value per non-empty line, the last line even without a trailing newline.
 * A line that is not JSON throws (with the line), it is never skipped.
 */
export async function* readNdjson(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let rest = '';
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch (err) {
      throw new Error(`not a JSON line: ${line.slice(0, 200)}`, { cause: err });
    }
  };
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) yield parse(line);
  }
  rest += decoder.decode();
  if (rest) yield parse(rest);
}
