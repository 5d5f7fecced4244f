/** Start-up, settings and wiring: the only room that constructs services and picks drivers. */
export { runServer } from './main.js';
export { parseSettings, parseListen, urlFor, type Settings, type ServerFlags } from './settings.js';
