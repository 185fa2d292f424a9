import { defineVerb, parseVerb } from '../verb.js'

export const upVerb = defineVerb({
  name: 'up',
  summary: 'start the native stack in the foreground until Ctrl-C',
  options: {
    watch: { type: 'boolean', help: 'rebuild and restart an app when its source changes' },
    'no-prometheus': { type: 'boolean', help: 'start without Prometheus and its exporters' },
  },
})

/** `lab up`: runs the native stack in the foreground until Ctrl-C. */
export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parseVerb(upVerb, argv)
  // loaded here, not at the top: the supervisor (fastify, the apps) costs every other verb ~0.5 s
  const { runStack } = await import('@production-lab/supervisor')
  return runStack({ watch: values.watch === true, prometheus: values['no-prometheus'] !== true })
}
