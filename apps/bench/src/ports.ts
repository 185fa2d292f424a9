/** The benchmark's servers get fixed 127.0.0.1 ports; a port someone else holds would be measured instead of ours. */
import { portIsFree } from '@production-lab/stack'

/** Fails naming every port in use and what it was meant for. */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const taken: string[] = []
  for (const [owner, port] of Object.entries(ports))
    if (!(await portIsFree(port))) taken.push(`${port} (${owner})`)
  if (taken.length > 0) {
    throw new Error(
      `port(s) already in use on 127.0.0.1: ${taken.join(', ')}; stop what listens there or choose other ports with BENCH_PORT_BASE`,
    )
  }
}
