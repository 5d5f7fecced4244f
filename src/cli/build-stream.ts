import type { BuildStreamLine } from '../api/schemas.js';
import { readNdjson } from '../lib/index.js';
import { CliError } from './errors.js';

/** Reads a build's NDJSON stream, printing log lines as they arrive; resolves with the final line. */
export async function followBuild(body: AsyncIterable<Uint8Array>, print: (line: string) => void): Promise<BuildStreamLine> {
  let final: BuildStreamLine = {};
  for await (const value of readNdjson(body)) {
    const msg = value as BuildStreamLine;
    if (msg.log !== undefined) print(msg.log);
    if (msg.result) final = msg;
  }
  if (!final.result) throw new CliError('the build stream ended without a result (the server may have stopped)', 'see `slipway builds:output` for what was logged');
  return final;
}
