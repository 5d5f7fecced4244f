import { access } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../lib/index.js';
import { parseReleaseYaml } from './release-yaml.js';
import type { ResolvedBuildpack } from './resolve.js';
import { scriptArgv, withExports, type StepResult, type StepRunner } from './step.js';

/** Paths as the steps see them (e.g. /app, /cache, /env inside the sandbox). */
export interface BuildLayout {
  buildDir: string;
  cacheDir: string;
  envDir: string;
}

export interface BuildpackRunResult {
  buildpacks: { name: string; spec: string }[];
  defaultProcessTypes: Record<string, string>;
  configVars: Record<string, string>;
  addons: string[];
}

export interface RunBuildpacksOptions {
  buildpacks: ResolvedBuildpack[];
  detect: boolean;
  layout: BuildLayout;
  env: Record<string, string>;
  runStep: StepRunner;
  log: (line: string) => void;
}

interface Detected {
  bp: ResolvedBuildpack;
  label: string;
}

/**
 * detect → compile → release, following Heroku's classic API. With `detect: true` the first
 * candidate whose bin/detect accepts the app is the only one that runs; otherwise every
 * buildpack runs in order, each seeing the `export` files of the ones before it.
 */
export async function runBuildpacks(opts: RunBuildpacksOptions): Promise<BuildpackRunResult> {
  const compiled = opts.detect ? [await compileDetected(opts)] : await compileAll(opts);
  return releaseAll(compiled, opts);
}

async function compileDetected(opts: RunBuildpacksOptions): Promise<Detected> {
  for (const bp of opts.buildpacks) {
    const res = await step(bp, 'detect', [opts.layout.buildDir], [], opts);
    if (res.exitCode === 0) {
      const found = { bp, label: detectedLabel(res, bp) };
      opts.log(`-----> ${found.label} app detected`);
      await compile(found, [], opts);
      return found;
    }
  }
  const tried = opts.buildpacks.map((bp) => bp.name).join(', ');
  throw new SlipwayError('E_NO_BUILDPACK', `No buildpack detected this app (tried: ${tried})`, {
    hint: 'add a package.json, requirements.txt, index.html or Procfile, or set one with `slipway buildpacks:set -a APP URL|PATH|nodejs`',
  });
}

// Detect and compile are interleaved so that each buildpack's detect already sees what the earlier
// ones compiled and exported (a buildpack may detect on a file or variable an earlier one made).
async function compileAll(opts: RunBuildpacksOptions): Promise<Detected[]> {
  const done: Detected[] = [];
  for (const bp of opts.buildpacks) {
    const exportFiles = await existingExports(done);
    const res = await step(bp, 'detect', [opts.layout.buildDir], exportFiles, opts);
    if (res.exitCode !== 0) {
      throw new SlipwayError('E_BUILD_FAILED', `${bp.name} buildpack does not accept this app (bin/detect ${how(res)})`, {
        hint: `check that the app has what ${bp.ref.spec} expects, or change the list with \`slipway buildpacks:set\``,
      });
    }
    const found = { bp, label: detectedLabel(res, bp) };
    opts.log(`-----> ${found.label} app detected`);
    await compile(found, exportFiles, opts);
    done.push(found);
  }
  return done;
}

async function compile(found: Detected, exportFiles: string[], opts: RunBuildpacksOptions): Promise<void> {
  const { buildDir, cacheDir, envDir } = opts.layout;
  const res = await step(found.bp, 'compile', [buildDir, cacheDir, envDir], exportFiles, opts, opts.log);
  if (res.exitCode !== 0) {
    // The failing lines are already in the log: the message only says which buildpack and how.
    throw new SlipwayError('E_BUILD_FAILED', `${found.bp.name} buildpack failed to compile (${how(res)})`, {
      hint: 'read the build output above for the first error',
    });
  }
}

async function releaseAll(compiled: Detected[], opts: RunBuildpacksOptions): Promise<BuildpackRunResult> {
  const result: BuildpackRunResult = { buildpacks: [], defaultProcessTypes: {}, configVars: {}, addons: [] };
  for (const { bp, label } of compiled) {
    result.buildpacks.push({ name: label, spec: bp.ref.spec });
    if (!(await exists(path.join(bp.dir, 'bin/release')))) continue;
    const res = await step(bp, 'release', [opts.layout.buildDir], [], opts);
    if (res.exitCode !== 0) {
      throw new SlipwayError('E_BUILD_FAILED', `${bp.name} buildpack: bin/release failed (${how(res)})`);
    }
    const rel = parseReleaseYaml(res.stdout, bp.name);
    // Heroku's rule: the last buildpack that declares process types provides them all.
    if (Object.keys(rel.default_process_types).length > 0) result.defaultProcessTypes = rel.default_process_types;
    Object.assign(result.configVars, rel.config_vars);
    for (const a of rel.addons) if (!result.addons.includes(a)) result.addons.push(a);
  }
  return result;
}

async function step(
  bp: ResolvedBuildpack,
  script: 'detect' | 'compile' | 'release',
  args: string[],
  exportFiles: string[],
  opts: RunBuildpacksOptions,
  onLine?: (line: string) => void,
): Promise<StepResult> {
  const argv = withExports(exportFiles, await scriptArgv(path.join(bp.dir, 'bin', script), args));
  try {
    return await opts.runStep(argv, { cwd: opts.layout.buildDir, env: opts.env, ...(onLine ? { onLine } : {}) });
  } catch (err) {
    throw new SlipwayError('E_BUILD_FAILED', `${bp.name} buildpack: could not run bin/${script}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Each earlier buildpack's `export` file, when its compile wrote one. */
async function existingExports(done: Detected[]): Promise<string[]> {
  const files: string[] = [];
  for (const { bp } of done) {
    const file = path.join(bp.dir, 'export');
    if (await exists(file)) files.push(file);
  }
  return files;
}

function detectedLabel(res: StepResult, bp: ResolvedBuildpack): string {
  const first = res.stdout.trim().split('\n')[0]?.trim();
  return first ? first : bp.name;
}

function how(res: StepResult): string {
  return res.signal ? `killed by ${res.signal}` : `exit ${res.exitCode}`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
