/** Runtime drivers: run a ProcessSpec somewhere. `process` runs it as a sandboxed host process. */
export type { Driver, Instance, InstanceIo, ProcessSpec, ExitInfo, Limits } from './driver.js';
export { DEFAULT_LIMITS } from './driver.js';
export { ProcessDriver } from './process/driver.js';
