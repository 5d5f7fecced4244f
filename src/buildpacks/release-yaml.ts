import { parse } from 'yaml';
import { SlipwayError } from '../lib/index.js';

export interface ReleaseYaml {
  default_process_types: Record<string, string>;
  config_vars: Record<string, string>;
  addons: string[];
}

const PROCESS_TYPE = /^[A-Za-z0-9_-]+$/;
const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/; // as config:set: a key names a file in ENV_DIR

function invalid(buildpackName: string, why: string, cause?: unknown): SlipwayError {
  return new SlipwayError('E_BUILDPACK_INVALID', `${buildpackName} buildpack: bin/release output ${why}`, {
    hint: 'bin/release must print YAML with optional default_process_types (map), config_vars (map) and addons (list)',
    cause,
  });
}

/**
 * Parses what a buildpack's bin/release printed. This is an edge: third-party buildpacks print
 * odd things, so empty documents, null sections, empty keys and extra keys are tolerated, while a
 * wrong shape (a list where a map belongs, nested values) is refused and names the buildpack.
 * Values are kept literally: `$PORT` in a command is expanded by the process's shell, not here.
 */
export function parseReleaseYaml(text: string, buildpackName: string): ReleaseYaml {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw invalid(buildpackName, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`, err);
  }
  if (doc === null || doc === undefined) return { default_process_types: {}, config_vars: {}, addons: [] };
  if (!isPlainMap(doc)) throw invalid(buildpackName, 'is not a YAML map');
  return {
    default_process_types: stringMap(doc['default_process_types'], 'default_process_types', PROCESS_TYPE, buildpackName),
    config_vars: stringMap(doc['config_vars'], 'config_vars', CONFIG_KEY, buildpackName),
    addons: stringList(doc['addons'], buildpackName),
  };
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function stringMap(v: unknown, field: string, keyRule: RegExp, bp: string): Record<string, string> {
  if (v === null || v === undefined) return {};
  if (!isPlainMap(v)) throw invalid(bp, `has ${field} that is not a map`);
  const entries: [string, string][] = [];
  for (const [key, raw] of Object.entries(v)) {
    if (key.trim() === '') continue; // seen in the wild; nothing can refer to it
    if (!keyRule.test(key)) throw invalid(bp, `has ${field} with an invalid name ${JSON.stringify(key)}`);
    if (raw === null || raw === undefined) continue;
    const value = scalarString(raw);
    if (value === undefined) throw invalid(bp, `has ${field}.${key} that is not a string`);
    entries.push([key, value]);
  }
  // fromEntries defines own properties, so a key like __proto__ stays plain data.
  return Object.fromEntries(entries);
}

function stringList(v: unknown, bp: string): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw invalid(bp, 'has addons that is not a list');
  return v.map((item, i) => {
    const s = scalarString(item);
    if (s === undefined) throw invalid(bp, `has addons[${i}] that is not a string`);
    return s;
  });
}
