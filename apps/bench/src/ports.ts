/** The benchmark's servers get fixed 127.0.0.1 ports; a port someone else holds would be measured instead of ours. */
import { createServer } from 'node:net'

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)))
  })
}

/** Fails naming every port in use and what it was meant for. */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const taken: string[] = []
  for (const [owner, port] of Object.entries(ports))
    if (!(await isFree(port))) taken.push(`${port} (${owner})`)
  if (taken.length > 0) {
    throw new Error(
      `port(s) already in use on 127.0.0.1: ${taken.join(', ')}; stop what listens there or choose other ports with BENCH_PORT_BASE`,
    )
  }
}
