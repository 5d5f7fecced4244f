// Bundles the dashboard (src/web) into dist/web: one JS and one CSS file with
// content hashes in their names (cached for a year), and index.html naming
// them. Runs at `npm run build`; the server needs no build tools at run time.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const out = path.join(root, 'dist/web');
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [path.join(root, 'src/web/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: 'app-[hash]',
  outdir: path.join(out, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const names = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
const js = names.find((n) => n.endsWith('.js'));
const css = names.find((n) => n.endsWith('.css'));
if (!js || !css) throw new Error(`build-web: expected a .js and a .css output, got ${names.join(', ')}`);
writeFileSync(
  path.join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slipway</title>
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="root"></div>
<noscript>The Slipway dashboard needs JavaScript; the CLI and the API do not.</noscript>
</body>
</html>
`,
);
