/**
 * Every default in one place, with its unit. Config (env) overrides these; see config.ts.
 * The shutdown timings are the stack's contract (@production-lab/stack), stated there once.
 */
import { stackTimings } from '@production-lab/stack'
import { nodeHasReusePort } from './node-support.js'

export const defaults = {
  host: '127.0.0.1',
  port: 3000,
  logLevel: 'info',
  /** seconds: how long /health answers 503 before the server stops accepting (the guide's 3 s). */
  gracefulShutdownDelayS: stackTimings.gracefulShutdownDelayS,
  /** seconds: hard bound on the whole shutdown sequence, after which in-flight work is cut. */
  shutdownTimeoutS: stackTimings.shutdownTimeoutS,
  /**
   * seconds: Node's HTTP keep-alive timeout. Must stay above every proxy's upstream idle
   * timeout (nginx keepalive_timeout defaults to 60 s) or the proxy reuses a socket Node has
   * just closed and answers 502.
   */
  keepAliveTimeoutS: 75,
  /**
   * seconds a client has to send its whole request head (Node's headersTimeout). A client that
   * trickles one header byte a second (slowloris) would otherwise hold a socket 60 s (Node's
   * default); nginx cuts its own clients sooner (client_header_timeout), this bounds direct ones.
   */
  headersTimeoutS: 10,
  /** seconds a client has to send its whole request, head and body (Node's requestTimeout, default 300 s). */
  requestTimeoutS: 30,
  /**
   * seconds a socket may stay silent while a request is in progress (Fastify's connectionTimeout,
   * the socket timeout); idle keep-alive sockets follow keepAliveTimeoutS instead.
   */
  connectionTimeoutS: 30,
  /**
   * milliseconds between Node's checks of the two timeouts above: a request is cut at most this
   * long after its bound (Node's default, 30 s, tripled the bound of a slow client).
   */
  connectionsCheckingIntervalMs: 1000,
  /**
   * count: listening sockets per service (SO_REUSEPORT). Node accepts one connection per
   * socket per event-loop iteration, so a burst of 50 new connections to a busy half-core
   * writer waited up to 1 s in the accept queue with one socket; see accept-sockets.ts.
   * 1 where there is no reusePort: not on macOS or Windows (it exists on Linux, FreeBSD, ...),
   * not before Node 22.12 (see node-support.ts).
   */
  acceptSockets:
    (process.platform === 'linux' || process.platform === 'freebsd') && nodeHasReusePort() ? 8 : 1,
  /** bytes: largest accepted request body. */
  bodyLimitBytes: 64 * 1024,
  /** seconds: Retry-After sent with 503s from draining and shedding. */
  retryAfterS: 5,
  /** milliseconds: event-loop delay above which requests are shed (0 disables). */
  maxEventLoopDelayMs: 200,
  /** bytes: heap used above which requests are shed (0 disables). */
  maxHeapUsedBytes: 0,
  /** bytes: RSS above which requests are shed (0 disables). */
  maxRssBytes: 0,
  /** 0..1: event-loop utilisation above which requests are shed (0 disables; off by default). */
  maxEventLoopUtilization: 0,
  /**
   * count: requests in flight above which a new one is shed with 503 (0 disables; admission.ts).
   * Off by default: behind a balancer whose passive health checks count 503s as failures
   * (nginx: max_fails with http_503 in proxy_next_upstream), every shed 503 counts against the
   * replica; two readers that shed at 64 in flight were both ejected at 2000 req/s offered
   * and nginx answered 502 "no live upstreams" to everything (docs/benchmarks.md). A service
   * that is the only server of its upstream turns it on (the writer: writer-defaults.ts).
   */
  maxInFlight: 0,
  /**
   * milliseconds a request may have waited between the proxy (its X-Request-Start header)
   * and the service before it is shed with 503 (0 disables; requests without the header skip
   * it). Off by default for the reason above.
   */
  maxQueueMs: 0,
  /** milliseconds: how often the shedding thresholds are sampled. */
  pressureSampleIntervalMs: 500,
  /** milliseconds: a breaker-protected call slower than this counts as a failure. */
  breakerTimeoutMs: 2000,
  /** percent: failure share in the rolling window that opens a breaker. */
  breakerErrorThresholdPercent: 50,
  /** count: calls in the rolling window before a breaker may open. */
  breakerVolumeThreshold: 10,
  /** milliseconds: how long an open breaker waits before a half-open trial call. */
  breakerResetTimeoutMs: 5000,
  /** milliseconds: the rolling window breakers count failures in. */
  breakerRollingWindowMs: 10_000,
  /**
   * characters: pre-built log lines (the access line) wait for the next event-loop turn to
   * be written together, or are written at once when this many are waiting.
   */
  logBatchMaxChars: 16 * 1024,
} as const
