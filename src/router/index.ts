/** The router's control side: host → app → targets, told via setTargets(); platform error pages. */
export { Router, type RouteTarget } from './router.js';
export { PAGES, renderPage, type ErrorPage } from './pages.js';
