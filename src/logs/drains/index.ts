/** Log drains: each drained app's lines sent on to syslog (TCP/TLS, RFC 5424) or HTTPS (logplex frames) receivers. */
export { DrainService, type DrainRecord, type DrainRecords, type DrainView, type DrainServiceOptions } from './service.js';
export { Drain, type DrainStats, type DrainOptions } from './drain.js';
export { Ring } from './ring.js';
export { syslogMessage, octetFrame } from './format.js';
export { parseDrainUrl, redactUrl, type DrainTarget, type Transport } from './transport.js';
