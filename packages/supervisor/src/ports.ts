/** Checks that a port is free before a service is started on it, to name the port and the service in the error. */
import { ControlError } from '@production-lab/control'
import { portIsFree } from '@production-lab/stack'

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
