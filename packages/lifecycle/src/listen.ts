/**
 * A service's start: listen on HOST:PORT (with ACCEPT_SOCKETS - 1 more sockets on the same
 * port), or, when that fails, log why and exit at once: nothing listens, so there is
 * nothing to drain.
 */
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { type AcceptSockets, assertPortFree, listenExtraAcceptSockets } from './accept-sockets.js'
import type { BaseConfig } from './config.js'
import type { Logger } from './logger.js'
import { acceptSocketsUnsupported } from './node-support.js'

export interface ListenParts {
  config: BaseConfig
  logger: Logger
  flushSync: () => void
  exit: (code: number) => void
}

export async function listen(
  app: FastifyInstance,
  { config, logger, flushSync, exit }: ListenParts,
): Promise<{ url: string; acceptSockets: AcceptSockets | undefined }> {
  const unsupported = acceptSocketsUnsupported(config.ACCEPT_SOCKETS)
  if (unsupported) {
    // Before anything listens: one line, no stack trace, nothing to drain.
    logger.fatal(`Cannot start ${config.SERVICE_NAME}: ${unsupported}`)
    flushSync()
    exit(1)
    throw new Error(unsupported)
  }
  try {
    const extra = config.ACCEPT_SOCKETS - 1
    if (extra > 0 && config.PORT !== 0) await assertPortFree(config.HOST, config.PORT)
    // Fastify hands these options to net.Server#listen, which knows reusePort (Node >= 22.12).
    const listenOptions = {
      host: config.HOST,
      port: config.PORT,
      reusePort: extra > 0,
      listenTextResolver: (address: string) => `${config.SERVICE_NAME} ready on ${address}`,
    }
    const url = await app.listen(listenOptions)
    if (extra <= 0) return { url, acceptSockets: undefined }
    // Port 0 (tests) picked a free port: the extra sockets join that one.
    const { port } = app.server.address() as AddressInfo
    return {
      url,
      acceptSockets: await listenExtraAcceptSockets(app.server, { host: config.HOST, port, extra }),
    }
  } catch (error) {
    const hint =
      (error as NodeJS.ErrnoException).code === 'ENOTSUP'
        ? ` (ACCEPT_SOCKETS=${config.ACCEPT_SOCKETS} needs SO_REUSEPORT, which this platform lacks: set ACCEPT_SOCKETS=1)`
        : ''
    logger.fatal(
      { error },
      `Cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}${hint}`,
    )
    flushSync()
    exit(1)
    throw error
  }
}
