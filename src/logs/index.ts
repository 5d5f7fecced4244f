/**
 * Per-app logs: the merged stream of each app (its processes' output, the
 * router, builds, platform events), kept on disk under logs/APP/ with a size
 * cap, read from the end, tailed live; and the files of individual builds.
 */
export { BuildLog, buildLogFile, readBuildLog, type LogListener } from './build-log.js';
/** The store: append, read the last n, follow, tail (history then live, no gap), removeApp, close. */
export { LogStore, DEFAULT_MAX_BYTES_PER_APP, type LogStoreOptions, type AppendInput } from './store.js';
/** Entries, filters and their text form (`TIME app[web.1]: LINE`). */
export { formatEntry, parseLogFilter, LOG_SOURCES, MAX_LINE_BYTES, type LogEntry, type LogFilter, type LogSource } from './entry.js';
/** Log drains (syslog over TCP/TLS, HTTPS logplex batches). */
export { DrainService, parseDrainUrl, redactUrl, type DrainRecord, type DrainRecords, type DrainView } from './drains/index.js';
