/** `lab inspect <service...>`: JSON with state, limits (and whether enforced), command and environment. */
import { connectNative } from '@production-lab/control'
import { parse, serviceNames } from './usage.js'

export async function inspectCommand(argv: string[]): Promise<number> {
  const usage = 'lab inspect <service...>'
  const { positionals } = parse(argv, {}, usage)
  const names = serviceNames(positionals, usage)
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
