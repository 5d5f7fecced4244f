/**
 * Length-prefixed frames over a byte stream: [type: u8][length: u32 BE][payload].
 * Used by attached runs (stdin/stdout/stderr/exit/resize multiplexed over one
 * upgraded HTTP connection).
 */
export function encodeFrame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export const MAX_FRAME_BYTES = 1024 * 1024;

/** Feed it chunks; it calls onFrame for each complete frame. Throws on a frame over the limit. */
export function frameDecoder(onFrame: (type: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (len > MAX_FRAME_BYTES) throw new Error(`frame of ${len} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
      if (buf.length < 5 + len) return;
      const type = buf.readUInt8(0);
      const payload = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      onFrame(type, payload);
    }
  };
}

/** Frame types of the run protocol (see docs/api.md). */
export const RunFrame = {
  stdin: 0,
  stdinEnd: 1,
  signal: 2,
  resize: 3,
  stdout: 11,
  stderr: 12,
  exit: 13,
  error: 14,
  started: 15,
} as const;
