import { createHash } from 'node:crypto';
import type { PackageRequest } from './dpkg-status.js';
import type { SourceLine } from './sources.js';

export type StackKind = 'run' | 'build';
export type StackVariant = 'essential' | 'minbase';

/** What a stack is made from; equal recipes (with equal sources) are one stack. */
export interface StackRecipe {
  kind: StackKind;
  /** Debian suite, e.g. bookworm. */
  base: string;
  variant: StackVariant;
  packages: readonly PackageRequest[];
  /**
   * Releases built on a stack of another ABI are not rebased onto this one
   * (the app's native code may not load). Defaults to `debian-SUITE`: a new
   * stack of the same suite keeps its ABI, a new suite changes it.
   */
  abi?: string;
}

/** Bump when the way a stack is made changes, so cached stacks made the old way are not reused. */
const RECIPE_VERSION = 1;

/** The libraries common apps link to, the interpreters buildpacks call, CA certificates, time zones. */
export const RUN_PACKAGES = [
  'ca-certificates', 'tzdata', 'netbase', 'procps', 'curl', 'openssl', 'perl', 'python3',
  'libssl3', 'zlib1g', 'libpq5', 'libsqlite3-0', 'libxml2', 'libyaml-0-2', 'libffi8', 'libgmp10', 'libreadline8',
];
/** The run stack plus compilers and headers: native npm/pip modules build here. */
export const BUILD_PACKAGES = [
  ...RUN_PACKAGES,
  'build-essential', 'pkg-config', 'git', 'make', 'g++', 'xz-utils', 'python3-dev', 'python3-venv', 'python3-pip',
  'libssl-dev', 'zlib1g-dev', 'libpq-dev', 'libsqlite3-dev', 'libffi-dev', 'libyaml-dev', 'libxml2-dev',
];

export function defaultRecipe(kind: StackKind, base = 'bookworm', extra: readonly PackageRequest[] = []): StackRecipe {
  const names = kind === 'run' ? RUN_PACKAGES : BUILD_PACKAGES;
  return { kind, base, variant: 'minbase', packages: mergePackages(names.map((name) => ({ name })), extra) };
}

/** extra wins over base for the same name (a pin replaces the unpinned request). */
export function mergePackages(base: readonly PackageRequest[], extra: readonly PackageRequest[]): PackageRequest[] {
  const m = new Map(base.map((p) => [p.name, p]));
  for (const p of extra) m.set(p.name, p);
  return [...m.values()];
}

export function abiOf(recipe: StackRecipe): string {
  return recipe.abi ?? `debian-${recipe.base}`;
}

export function packageArg(p: PackageRequest): string {
  return p.version === undefined ? p.name : `${p.name}=${p.version}`;
}

/** Content key of a stack: recipe, sources, mmdebstrap version and architecture. */
export function recipeKey(recipe: StackRecipe, sources: readonly SourceLine[], tool: { mmdebstrap: string; arch: string }): string {
  const canonical = JSON.stringify({
    v: RECIPE_VERSION,
    kind: recipe.kind,
    base: recipe.base,
    variant: recipe.variant,
    abi: abiOf(recipe),
    packages: recipe.packages.map(packageArg).sort(),
    sources,
    tool,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * mmdebstrap's argv: a tar of the root filesystem on stdout... written to
 * `target`. Docs stay (copyright files are licences), man pages and
 * translations go. Check-Valid-Until is off so snapshot mirrors work.
 */
export function mmdebstrapArgs(recipe: StackRecipe, sources: readonly SourceLine[], target: string): string[] {
  const include = recipe.packages.map(packageArg);
  return [
    'mmdebstrap',
    '--mode=root',
    `--variant=${recipe.variant}`,
    '--format=tar',
    ...(include.length ? [`--include=${include.join(',')}`] : []),
    '--aptopt=Acquire::Check-Valid-Until "false"',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--dpkgopt=path-include=/usr/share/locale/locale.alias',
    '--dpkgopt=path-exclude=/usr/share/info/*',
    '--',
    recipe.base,
    target,
    ...sources,
  ];
}
