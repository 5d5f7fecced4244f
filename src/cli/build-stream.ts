import type { BuildStreamLine } from '../api/schemas.js';
import { CliError } from './errors.js';

/** Reads a build's NDJSON stream, printing log lines as they arrive; resolves with the final line. */
export async function followBuild(body: AsyncIterable<Uint8Array>, print: (line: string) => void): Promise<BuildStreamLine> {
  let final: BuildStreamLine = {};
  let rest = '';
  const decoder = new TextDecoder();
  const handle = (text: string): void => {
    if (!text) return;
    const msg = JSON.parse(text) as BuildStreamLine;
    if (msg.log !== undefined) print(msg.log);
    if (msg.result) final = msg;
  };
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    lines.forEach(handle);
  }
  handle(rest + decoder.decode());
  if (!final.result) throw new CliError('the build stream ended without a result (the server may have stopped)', 'see `slipway builds:output` for what was logged');
  return final;
}
