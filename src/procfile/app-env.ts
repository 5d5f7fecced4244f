import type { EnvSpec } from './app-json-schema.js';

export interface AppEnvPlan {
  /** Config vars to set: app.json values and generated secrets, for keys the app has not set. */
  set: Record<string, string>;
  /** Which of `set` were generated (named in the build log; values never are). */
  generated: string[];
  /** `required: true` keys with no value in app.json and no config var. */
  missing: string[];
}

/**
 * app.json's `env` as Heroku applies it when an app is set up: a key the app
 * already has is left alone; `value` sets it; `generator: "secret"` sets a
 * random value; `required` without either must already be set. Only for an
 * app's first deploy: later deploys never overwrite config.
 */
export function planAppEnv(env: Record<string, string | EnvSpec>, current: Record<string, string>, secret: () => string): AppEnvPlan {
  const plan: AppEnvPlan = { set: {}, generated: [], missing: [] };
  for (const [key, spec] of Object.entries(env)) {
    if (Object.hasOwn(current, key)) continue;
    const s: EnvSpec = typeof spec === 'string' ? { value: spec } : spec;
    if (s.value !== undefined) plan.set[key] = s.value;
    else if (s.generator === 'secret') {
      plan.set[key] = secret();
      plan.generated.push(key);
    } else if (s.required === true) plan.missing.push(key);
  }
  return plan;
}
