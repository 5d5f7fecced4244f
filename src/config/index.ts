/** Config vars: the key/value rules, size limits, and changes that become releases. Values are secrets: never logged. */
export { ConfigService, type ConfigChange } from './service.js';
export { parseConfigPatch, applyConfigPatch, describeConfigChange, CONFIG_KEY_RULE, MAX_KEY_LENGTH, MAX_VALUE_BYTES, MAX_APP_CONFIG_BYTES, type ConfigVars, type ConfigPatch } from './vars.js';
