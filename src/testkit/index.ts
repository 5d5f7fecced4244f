/**
 * The one test kit (tests and benches only): temp dirs, a real daemon, HTTP
 * with a Host header, fixtures, a real router with real backends, real
 * buildpacks on the host, and a load generator.
 */
export { tempDir, type After } from './temp.js';
export { httpGet, type Reply, type HttpGetOptions } from './http.js';
export { FIXTURES, GIT_IDENTITY, cleanEnv, fixtureRepo, commitAll } from './fixtures.js';
export { BIN, Daemon, type ServerInfo } from './daemon.js';
export { startBackend, stopBackend, startRouter, get, answeredBy, type Backend, type Handler, type TestRouter } from './router.js';
export { stepEnv, workspace, rebuildDir, build, startProcess, waitForHttp, type Workspace } from './buildpacks.js';
export { Load, type PhaseResult } from './load.js';
export { startTestRegistry, type TestRegistry } from './registry.js';
export { makeCa, issueCert, type TestCa } from './certs.js';
export { smallStackRecipes } from './stacks.js';
export { selfSignedCert, splitFrames, syslogTlsReceiver, httpsReceiver, type Cert, type Receiver } from './receivers.js';
