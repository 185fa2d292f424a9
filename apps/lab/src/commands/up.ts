import { runStack } from '@production-lab/supervisor'
import { parse } from './usage.js'

const USAGE = 'lab up [--watch] [--no-prometheus]'

/** `lab up`: runs the native stack in the foreground until Ctrl-C. */
export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { watch: { type: 'boolean' }, 'no-prometheus': { type: 'boolean' } }, USAGE)
  return runStack({ watch: values.watch === true, prometheus: values['no-prometheus'] !== true })
}
