/**
 * How much log one service may keep on disk, in every way the lab runs: the native supervisor
 * rotates each service's log file at maxBytes and keeps keepFiles old ones
 * (packages/supervisor/src/log-rotation.ts; LAB_LOG_MAX_BYTES / LAB_LOG_KEEP_FILES override),
 * and docker-compose.yml's json-file logging says the same (max-size 10m, max-file 4 = the
 * current file and 3 old ones; its test compares). Kubernetes: the kubelet's own rotation
 * (containerLogMaxSize 10Mi, containerLogMaxFiles 5 by default; docs/kubernetes.md).
 * 10 MiB holds about 40,000 JSON access lines; at most 40 MiB per service.
 */
export const logLimits = {
  /** bytes: a log file is rotated before it passes this */
  maxBytes: 10 * 1024 * 1024,
  /** rotated files kept beside the current one */
  keepFiles: 3,
} as const
