import type { ServiceStatus } from '@production-lab/control'
import { connectNative } from '@production-lab/control'
import { formatTable } from '@production-lab/load'
import { defineVerb, parseVerb } from '../verb.js'

export const psVerb = defineVerb({
  name: 'ps',
  summary: 'list services with state and health (docker ps)',
  options: { json: { type: 'boolean', help: 'print the services as JSON instead of a table' } },
})

/** The way `docker ps -a` words it: "Up 5 minutes (healthy)", "Exited (0) 2 minutes ago". */
function describeState(service: ServiceStatus): string {
  switch (service.state) {
    case 'running':
    case 'starting':
      return `Up${service.health === 'none' ? '' : ` (${service.health})`}`
    case 'paused':
      return 'Up (Paused)'
    case 'stopping':
      return `Stopping${service.health === 'none' ? '' : ` (${service.health})`}`
    case 'exited':
      return `Exited (${service.exitCode ?? '?'})`
    case 'stopped':
      return service.exitCode === null ? 'Created' : `Stopped (${service.exitCode})`
  }
}

export async function psCommand(argv: string[]): Promise<number> {
  const { values } = parseVerb(psVerb, argv)
  const { target } = await connectNative()
  const services = await target.ps()
  await target.close()
  if (values.json) {
    process.stdout.write(`${JSON.stringify(services, null, 2)}\n`)
    return 0
  }
  const rows = services.map((service) => [
    service.name,
    describeState(service),
    service.state,
    service.health,
    String(service.pid ?? '-'),
    service.url ?? '-',
    String(service.restarts),
    service.startedAt ?? '-',
  ])
  process.stdout.write(
    `${formatTable(['NAME', 'STATUS', 'STATE', 'HEALTH', 'PID', 'URL', 'RESTARTS', 'STARTED'], rows)}\n`,
  )
  return 0
}
