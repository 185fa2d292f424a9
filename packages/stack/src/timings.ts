/**
 * The stack's lifecycle contract: how long a service drains, how long its shutdown may take,
 * how long a supervisor (the native one, compose's stop_grace_period) waits before SIGKILL.
 * The lifecycle package's defaults, the native supervisor, the scenarios and the compose
 * file's checks import these numbers; none restates them.
 */
export const stackTimings = {
  /** seconds /health answers 503 before the server stops accepting: the lab guide's 3 s */
  gracefulShutdownDelayS: 3,
  /** seconds: hard bound on a service's whole shutdown (delay plus drain) */
  shutdownTimeoutS: 15,
  /**
   * seconds between SIGTERM and SIGKILL for an app: above shutdownTimeoutS with a margin,
   * as compose's stop_grace_period, so a draining service is never killed.
   */
  appStopTimeoutS: 20,
} as const

/** The port every app listens on inside its container. */
export const CONTAINER_APP_PORT = 8000
