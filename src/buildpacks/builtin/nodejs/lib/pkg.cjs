// Reads package.json for the nodejs buildpack so the bash scripts need no jq.
//   node pkg.cjs facts FILE            prints key=value lines (one node start for everything)
//   node pkg.cjs satisfies RANGE ROOT  exit 0 if this Node satisfies RANGE, 1 if not, 2 if npm's semver is missing
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
  console.log(lines.join('\n'));
}

function satisfies(range, npmRoot) {
  let semver;
  try {
    semver = require(path.join(npmRoot, 'npm/node_modules/semver'));
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    process.exit(2);
  }
  process.exit(semver.satisfies(process.version, range) ? 0 : 1);
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === 'facts' && a) facts(a);
else if (cmd === 'satisfies' && a !== undefined && b) satisfies(a, b);
else {
  console.error('usage: pkg.cjs facts FILE | satisfies RANGE NPM_ROOT');
  process.exit(64);
}
