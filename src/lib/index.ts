/** Generic helpers with nothing Slipway-specific: errors, argv-only exec, polling, crash-safe files. */
export { SlipwayError, ExecError, isSlipwayError, type ErrorCode, type ErrorDetails } from './errors.js';
export { run, type RunOptions, type RunResult } from './exec.js';
export { waitFor, sleep, type WaitOptions } from './wait.js';
export { writeFileAtomic, writeFileExclusive, resolveInside } from './fsx.js';
export { packageVersion } from './pkg.js';
export { packDirectory } from './pack-dir.js';
export { bwrapArgs, sandboxEnv, SANDBOX_ENV_FD, passwdFor, type SandboxSpec, type Mount } from './sandbox.js';
export { encodeFrame, frameDecoder, RunFrame, MAX_FRAME_BYTES } from './frames.js';
export { buildCapProbe, probeReports, type ProbeReport } from './cap-probe.js';
export { readProcTable, parseStat, childrenOf, treeUsage, type ProcInfo } from './proc.js';
export { freePort } from './net.js';
export { readNdjson } from './ndjson.js';
