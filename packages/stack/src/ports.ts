/**
 * Whether a port is free, by listening on it for a moment: the one probe the supervisor (a
 * port held by someone else is named before a service fails on it), the benchmark (it would
 * measure someone else's server) and the lifecycle (SO_REUSEPORT would share the port) use.
 */
import { createServer } from 'node:net'

/** The error a listen on host:port meets (EADDRINUSE, EACCES, ...), or null when the port is free. */
export function listenError(port: number, host = '127.0.0.1'): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error))
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)))
  })
}

export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await listenError(port, host)) === null
}
