/**
 * The router's control side: HAProxy as the data plane, driven from the
 * desired host → app → targets table (config file + runtime API), access log
 * → Heroku router lines, drain and in-flight stats, platform error pages.
 */
export { Router } from './router.js';
export type { RouteTarget, AppRouteState, AppRoute, RouterOptions, AppStats, TargetStats } from './types.js';
export { PAGES, renderPage, type ErrorPage } from './pages.js';
export { Routing, type RoutingOptions, type WebView } from './routing.js';
export { RequestRates } from './rates.js';
export { CertManager, certId, type CertRecord, type CertManagerOptions } from './certs.js';
export { checkCert, MAX_PEM_BYTES, type CheckedCert } from './cert-check.js';
