import { packageVersion, SlipwayError } from '../lib/index.js';
import { StackCache, type Stack } from './cache.js';
import type { PackageRequest } from './dpkg-status.js';
import { defaultRecipe, type StackKind } from './recipe.js';
import { cycloneDxDocument, spdxDocument, type SbomFormat } from './sbom.js';

/** One row of `slipway stacks`. */
export interface StackSummary {
  id: string;
  kind: StackKind;
  base: string;
  abi: string;
  created: string;
  packages: number;
  requested: string[];
  /** Id of a newer stack of the same kind and base, if one exists. */
  newer: string | null;
}

/**
 * What the API offers about stacks: list, build (from Debian packages, with
 * progress), SBOM. The cache is opened on first use: a server that never
 * touches stacks never needs mmdebstrap.
 */
export class StackService {
  private cache: Promise<StackCache> | undefined;

  constructor(private readonly root: string) {}

  open(): Promise<StackCache> {
    this.cache ??= StackCache.open({ root: this.root });
    return this.cache;
  }

  async list(): Promise<StackSummary[]> {
    const all = (await this.open()).list();
    return all.map((s) => {
      const newer = all.filter((o) => o.kind === s.kind && o.base === s.base && o.created > s.created).at(-1);
      return { id: s.id, kind: s.kind, base: s.base, abi: s.abi, created: s.created, packages: s.packages.length, requested: s.requested, newer: newer?.id ?? null };
    });
  }

  async get(id: string): Promise<Stack> {
    return (await this.open()).get(id);
  }

  /** Builds (or finds in the cache) the default stack of kind with extra packages. */
  async build(opts: { kind: StackKind; base: string; packages: readonly PackageRequest[] }, onProgress: (line: string) => void): Promise<{ stack: Stack; built: boolean }> {
    if (!/^[a-z]+$/.test(opts.base)) throw new SlipwayError('E_VALIDATION', `--from: ${JSON.stringify(opts.base)} is not a Debian suite name`, { hint: 'for example bookworm' });
    return (await this.open()).ensure(defaultRecipe(opts.kind, opts.base, opts.packages), { onProgress });
  }

  async sbom(id: string, format: SbomFormat): Promise<object> {
    const s = await this.get(id);
    const subject = { name: s.id, created: s.created, distro: s.distro, debs: s.packages };
    const tool = `slipway-${packageVersion()}`;
    return format === 'spdx' ? spdxDocument(subject, tool) : cycloneDxDocument(subject, tool);
  }
}
