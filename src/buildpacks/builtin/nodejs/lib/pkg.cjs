// Reads package.json for the nodejs buildpack so the bash scripts need no jq.
//   node pkg.cjs facts FILE            prints key=value lines (one node start for everything: package.json,
//                                      Node and npm versions, and whether engines.node is satisfied; starting
//                                      npm just to ask its version costs ~200 ms on a warm redeploy)
'use strict';
const fs = require('fs');
const path = require('path');

const SCRIPTS = ['heroku-prebuild', 'heroku-postbuild', 'build', 'heroku-cleanup', 'start'];

function oneLine(v) {
  return String(v).replace(/[\r\n]+/g, ' ');
}

function facts(file) {
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // Node's message carries the position ("... in JSON at position 42"), which is what a user needs.
    console.log(`package.json is not valid JSON: ${err.message}`);
    process.exit(1);
  }
  if (pkg === null || typeof pkg !== 'object' || Array.isArray(pkg)) {
    console.log('package.json is not valid JSON: the top level must be an object');
    process.exit(1);
  }
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {};
  const lines = [];
  for (const name of SCRIPTS) {
    lines.push(`script_${name.replace(/-/g, '_')}=${typeof scripts[name] === 'string' ? 1 : 0}`);
  }
  const dev = pkg.devDependencies;
  lines.push(`dev_deps=${dev && typeof dev === 'object' && Object.keys(dev).length > 0 ? 1 : 0}`);
  const engine = pkg.engines && typeof pkg.engines === 'object' ? pkg.engines.node : undefined;
  lines.push(`engines_node=${typeof engine === 'string' ? oneLine(engine) : ''}`);
  lines.push(`node_version=${process.version}`);
  const npmDir = findNpm();
  lines.push(`npm_version=${npmDir ? readVersion(npmDir) : '?'}`);
  // engines_ok: 1 satisfied, 0 not, '' when there is no range or npm's semver is missing
  let ok = '';
  if (typeof engine === 'string' && npmDir) {
    try {
      ok = require(path.join(npmDir, 'node_modules/semver')).satisfies(process.version, engine) ? '1' : '0';
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  lines.push(`engines_ok=${ok}`);
  console.log(lines.join('\n'));
}

/** npm's own directory, next to this node (Debian and the official tarballs both lay it out so). */
function findNpm() {
  const prefix = path.dirname(path.dirname(process.execPath));
  for (const dir of [path.join(prefix, 'lib/node_modules/npm'), '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm', '/usr/share/nodejs/npm']) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function readVersion(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version || '?';
  } catch {
    return '?';
  }
}

const [cmd, a] = process.argv.slice(2);
if (cmd === 'facts' && a) facts(a);
else {
  console.error('usage: pkg.cjs facts FILE');
  process.exit(64);
}
