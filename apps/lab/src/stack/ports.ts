/** Checks that a port is free before a service is started on it, to name the port and the service in the error. */
import { createServer } from 'node:net'
import { ControlError } from '@production-lab/control'

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

export async function assertPortsFree(service: string, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      throw new ControlError(
        `port ${port} (${service}) is already in use by another process: stop that process (see \`ss -ltnp 'sport = :${port}'\`) or run the stack on other ports with LAB_PORT_OFFSET`,
        'FAILED',
      )
    }
  }
}
