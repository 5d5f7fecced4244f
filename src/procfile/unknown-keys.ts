import type { z } from 'zod';

/**
 * Keys of `value` that `schema` does not describe, with the path of the
 * object holding each. app.json comes from other platforms, so an unknown
 * key is a warning, never a failure (Heroku ignores keys it does not know);
 * the schema's objects are loose, and this walk finds what they let through.
 */
export function findUnknownKeys(schema: z.core.$ZodType, value: unknown, path: (string | number)[] = []): { path: (string | number)[]; key: string }[] {
  const def = unwrap(schema)._zod.def;
  if (typeof value !== 'object' || value === null) return [];
  if (def.type === 'array' && Array.isArray(value)) {
    const element = (def as z.core.$ZodArrayDef).element;
    return value.flatMap((item, i) => findUnknownKeys(element, item, [...path, i]));
  }
  if (Array.isArray(value)) return [];
  const entries = Object.entries(value);
  if (def.type === 'record') {
    const valueType = (def as z.core.$ZodRecordDef).valueType;
    return entries.flatMap(([k, v]) => findUnknownKeys(valueType, v, [...path, k]));
  }
  if (def.type === 'object') {
    const shape = (def as z.core.$ZodObjectDef).shape;
    return entries.flatMap(([k, v]) => {
      const known = Object.hasOwn(shape, k) ? shape[k] : undefined;
      return known === undefined ? [{ path, key: k }] : findUnknownKeys(known, v, [...path, k]);
    });
  }
  if (def.type === 'union') {
    // An object value can only have matched an object-like branch (env: a string or an object).
    const branch = (def as z.core.$ZodUnionDef).options.find((o) => ['object', 'record'].includes(unwrap(o)._zod.def.type));
    return branch === undefined ? [] : findUnknownKeys(branch, value, path);
  }
  return [];
}

/** Sees through optional(), default(), transform() and refinements to the schema that holds the keys. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType !== undefined && ['optional', 'default', 'nullable', 'readonly', 'prefault', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) s = def.in;
    else return s;
  }
}
