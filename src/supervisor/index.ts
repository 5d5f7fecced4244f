/** Runs releases: desired formation × current release → instances; deploys, scaling, restarts, crash backoff, rollback. */
export { Supervisor, formationLine, type SupervisorOptions, type OneOffOptions } from './supervisor.js';
export { Operations, type OperationsDeps, type ScaleChange, type FormationEntry } from './operations.js';
export type { AppRuntime, InstanceView, InstanceState, RunnableRelease, SupervisorEvents, WebTarget, WebState } from './types.js';
export type { ExitInfo, Instance } from '../runtime/driver.js';
export { Autoscaler, scalesToZero, type AutoscalerDeps, type AutoscaleView, type AutoscaleStatus, type RuleStore } from './autoscaler.js';
export { AUTOSCALE_DEFAULTS, AUTOSCALE_LIMITS, FUNCTION_AUTOSCALE, type AutoscaleRule } from './autoscale.js';
