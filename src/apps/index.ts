/** App registry and the app-name rule (a security boundary: names reach paths, hosts and users). */
export { AppService, APP_DIRS, type AppEvents, type AppView } from './service.js';
export { parseAppName, generateAppName, APP_NAME_RULE, APP_NAME_RULE_TEXT, RESERVED_APP_NAMES } from './names.js';
export { parseDomain } from './domains.js';
export { SETTING_DOCS, parseSettingsPatch, type AppSettings } from './settings.js';
