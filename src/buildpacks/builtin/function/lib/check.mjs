// Loads the handler once at build time and says whether it has a shape the
// runtime can serve: `export default { fetch(request) {...} }` or
// `export default async (request) => Response`.
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
const SHAPE = `the handler must export a fetch handler, e.g.
  export default { fetch(request) { return new Response("hi") } }
or
  export default async (request) => new Response("hi")`;
try {
  const mod = await import(pathToFileURL(file).href);
  const h = mod.default;
  if (typeof h === 'function') console.log('default export is a function (request) => Response');
  else if (h && typeof h.fetch === 'function') console.log('default export has fetch(request)');
  else {
    console.log(`${file.split('/').pop()} ${h === undefined ? 'has no default export' : `exports ${typeof h} as default`}: ${SHAPE}`);
    process.exit(1);
  }
} catch (err) {
  if (file.endsWith('.ts') && err?.code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    console.log(`handler.ts is TypeScript, and this server's Node (${process.version}) has no TypeScript loader: Node 22.18 or later strips types by itself.
Rename it to handler.mjs (plain JavaScript), or run Slipway on a newer Node.`);
    process.exit(1);
  }
  console.log(`loading the handler failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
