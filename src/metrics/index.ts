/** Per-app time series (router outcomes, instance states, memory/CPU), downsampled in SQLite, and Prometheus text. */
export { Metrics, RESOLUTIONS, type MetricsDeps, type Range, type Series, type Summary, type InstanceFigure } from './metrics.js';
export { LATENCY_BUCKETS_MS, quantileMs, type Point } from './point.js';
export { renderPrometheus, labelValue } from './prometheus.js';
