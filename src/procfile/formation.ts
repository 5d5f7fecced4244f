import type { FormationSpec } from './app-json-schema.js';

/** Heroku's dyno sizes and their memory, so an app.json written for Heroku gets the memory it planned for. */
const SIZE_MB: Record<string, number> = {
  free: 512,
  eco: 512,
  hobby: 512,
  basic: 512,
  'standard-1x': 512,
  'standard-2x': 1024,
  'performance-m': 2560,
  'performance-l': 14336,
  'performance-l-ram': 30720,
  'performance-xl': 63488,
  'performance-2xl': 129024,
  'private-s': 1024,
  'private-m': 2560,
  'private-l': 14336,
  'shield-s': 1024,
  'shield-m': 2560,
  'shield-l': 14336,
};

/**
 * The memory limit (MB) an app.json formation entry asks for: `memory`
 * ("512M", "1G", "2048K") first, else a Heroku `size`; undefined when it
 * says neither or names a size Slipway does not know.
 */
export function formationMemoryMb(spec: FormationSpec | undefined): number | undefined {
  const m = spec?.memory === undefined ? null : /^(\d+)([KMG])$/.exec(spec.memory);
  if (m) {
    const n = Number(m[1]);
    return m[2] === 'G' ? n * 1024 : m[2] === 'M' ? n : Math.max(1, Math.ceil(n / 1024));
  }
  return spec?.size === undefined ? undefined : SIZE_MB[spec.size.toLowerCase()];
}

export function isKnownSize(size: string): boolean {
  return Object.hasOwn(SIZE_MB, size.toLowerCase());
}
