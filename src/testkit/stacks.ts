import { execFileSync } from 'node:child_process';
import type { StackRecipe } from '../stacks/index.js';

/**
 * Two small real stacks (mmdebstrap's essential variant plus tzdata) that
 * differ by a package version: S1 pins the oldest tzdata the machine's apt
 * sources offer, S2 takes the newest. Built once per machine (the stack cache
 * is machine-wide), shared by the stacks tests and the images bench.
 * undefined when the apt lists offer only one version (run apt-get update).
 */
export function smallStackRecipes(): { s1: StackRecipe; s2: StackRecipe; older: string; newest: string } | undefined {
  const out = execFileSync('apt-cache', ['madison', 'tzdata'], { encoding: 'utf8' });
  const versions = [...new Set(out.split('\n').map((l) => l.split('|')[1]?.trim()).filter((v): v is string => !!v))];
  if (versions.length < 2) return undefined;
  const newest = versions[0] as string;
  const older = versions[versions.length - 1] as string;
  return {
    s1: { kind: 'run', base: 'bookworm', variant: 'essential', packages: [{ name: 'tzdata', version: older }] },
    s2: { kind: 'run', base: 'bookworm', variant: 'essential', packages: [{ name: 'tzdata' }] },
    older,
    newest,
  };
}
