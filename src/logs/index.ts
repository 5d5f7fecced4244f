/** Per-app logs. For now: build logs, streamed live and kept as files under logs/APP/builds/. */
export { BuildLog, buildLogFile, readBuildLog, type LogListener } from './build-log.js';
