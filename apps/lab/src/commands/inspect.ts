/** `lab inspect <service...>`: JSON with state, limits (and whether enforced), command and environment. */
import { connectNative } from '@production-lab/control'
import { defineVerb, parseVerb, usageLine } from '../verb.js'
import { serviceNames } from './usage.js'

export const inspectVerb = defineVerb({
  name: 'inspect',
  summary: 'state, limits, command and environment as JSON (docker inspect)',
  args: '<service...>',
  options: {},
})

export async function inspectCommand(argv: string[]): Promise<number> {
  const { positionals } = parseVerb(inspectVerb, argv)
  const names = serviceNames(positionals, usageLine(inspectVerb))
  const { target } = await connectNative()
  try {
    const results = []
    for (const name of names) results.push(await target.inspect(name))
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
    return 0
  } finally {
    await target.close()
  }
}
