// Reads package.json for the nodejs buildpack so the bash scripts need no jq.
//   node pkg.cjs facts FILE            prints key=value lines (one node start for everything: package.json,
//                                      Node and npm versions, and whether engines.node is satisfied; starting
//                                      npm just to ask its version costs ~200 ms on a warm redeploy)
//   node pkg.cjs release FILE          prints bin/release's YAML: the web process `npm start` would run,
//                                      as a direct command (see startCommand)
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

/**
 * What `npm start` would run, without npm: its prestart, start and poststart
 * scripts (start defaults to `node server.js` when server.js exists), each
 * under `sh -c` with the environment npm gives a script (@npmcli/run-script:
 * node_modules/.bin first on PATH, npm_package_{name,version,config,engines,bin},
 * npm_package_json, npm_lifecycle_event/script; npm adds npm_command and
 * INIT_CWD). Not given: npm_config_* (npm's own settings) and npm_execpath.
 * The last step is exec'd, so the app is the process the init signals, with
 * nothing resident beside it (issue 13: npm kept 72 MB and ~400 ms per start).
 * Returns undefined when npm start would have nothing to run.
 */
function startCommand(pkg, hasServerJs) {
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {};
  const start = typeof scripts.start === 'string' ? scripts.start : hasServerJs ? 'node server.js' : undefined;
  if (start === undefined) return undefined;
  const common = [
    'PATH="$PWD/node_modules/.bin:$PATH"',
    'INIT_CWD="$PWD"',
    'npm_command=start',
    'npm_package_json="$PWD/package.json"',
    ...Object.entries(packageEnvs(pkg)).map(([k, v]) => shq(`${k}=${v}`)),
  ];
  const step = (event, script, last) => ['env', ...common, `npm_lifecycle_event=${event}`, shq(`npm_lifecycle_script=${script}`), 'sh', '-c', shq(last ? execLast(script) : script)].join(' ');
  const pre = typeof scripts.prestart === 'string' ? `${step('prestart', scripts.prestart)} && ` : '';
  // poststart runs after start exits 0, as npm does; then the shell stays as start's parent.
  if (typeof scripts.poststart === 'string') return `${pre}${step('start', start)} && exec ${step('poststart', scripts.poststart, true)}`;
  return `${pre}exec ${step('start', start, true)}`;
}

// Words a script may start with that are shell builtins or keywords, which `exec` cannot run.
const NOT_EXECUTABLE = new Set(['.', ':', 'alias', 'break', 'case', 'cd', 'command', 'continue', 'eval', 'exec', 'exit', 'export', 'for', 'if', 'local', 'read', 'readonly', 'return', 'set', 'shift', 'source', 'trap', 'ulimit', 'umask', 'unset', 'until', 'wait', 'while', '{', '!']);

/**
 * Debian's sh (dash) stays as the parent of a `sh -c` script's last command,
 * where bash would exec it. A script that is one simple command (no ; & | ( )
 * or newline, led by a program name) gets `exec` in front, so the app replaces
 * the shell; anything else runs as written.
 */
function execLast(script) {
  const first = script.trim().split(/\s+/)[0] || '';
  if (/[;&|()\n]/.test(script) || first.includes('=') || NOT_EXECUTABLE.has(first) || first === '') return script;
  return `exec ${script.trim()}`;
}

/** npm_package_* as @npmcli/run-script's package-envs.js makes them. */
function packageEnvs(pkg) {
  const env = {};
  const add = (vals, prefix) => {
    for (const [key, val] of Object.entries(vals)) {
      if (val === undefined) continue;
      else if (val === null || val === false) env[`${prefix}${key}`] = '';
      else if (Array.isArray(val)) val.forEach((item, i) => add({ [`${key}_${i}`]: item }, prefix));
      else if (typeof val === 'object') add(val, `${prefix}${key}_`);
      else env[`${prefix}${key}`] = String(val);
    }
  };
  add({ name: pkg.name, version: pkg.version, config: pkg.config, engines: pkg.engines, bin: pkg.bin }, 'npm_package_');
  return env;
}

/** One shell word: as is when it holds nothing the shell treats specially, else single-quoted. */
function shq(s) {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function release(file) {
  const dir = path.dirname(file);
  let pkg = {};
  if (fs.existsSync(file)) {
    // An invalid package.json already failed the compile; here it only means "nothing to start".
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) pkg = parsed;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  const web = startCommand(pkg, fs.existsSync(path.join(dir, 'server.js')));
  // JSON strings are YAML double-quoted scalars: any script text comes through intact.
  console.log(web === undefined ? '---\ndefault_process_types: {}' : `---\ndefault_process_types:\n  web: ${JSON.stringify(web)}`);
}

const [cmd, a] = process.argv.slice(2);
if (cmd === 'facts' && a) facts(a);
else if (cmd === 'release' && a) release(a);
else {
  console.error('usage: pkg.cjs facts|release FILE');
  process.exit(64);
}
