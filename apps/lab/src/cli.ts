#!/usr/bin/env node
/**
 * `lab <verb> ...`: the native stack (`up`) and the native equivalents of the guide's
 * docker commands. Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
 */
import { ControlError } from '@production-lab/control'
import { UsageError } from './commands/usage.js'
import { formatHelp, wantsHelp } from './verb.js'
import { VERBS } from './verbs.js'

function help(): string {
  const verbs = Object.values(VERBS).map(({ name, summary }) => `  ${name.padEnd(8)} ${summary}`)
  return `usage: lab <command> [options]\n\n${verbs.join('\n')}\n\nlab <command> --help: the command's options, their meaning and defaults.\nServices: the guide's container names (app_slow, app_fast_1, app_fast_2, nginx_lb, ...) or aliases (writer, reader-1, ...).\nLAB_PORT_OFFSET shifts every port (a second stack beside the first).\n`
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    process.stdout.write(help())
    return verb === undefined ? 2 : 0
  }
  const command = VERBS[verb]
  if (!command) {
    process.stderr.write(`lab: unknown command ${JSON.stringify(verb)}\n\n${help()}`)
    return 2
  }
  if (wantsHelp(rest)) {
    process.stdout.write(formatHelp(command))
    return 0
  }
  try {
    return await command.run(rest)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lab ${verb}: ${error.message}\n`)
      return 2
    }
    if (error instanceof ControlError && error.code === 'UNKNOWN_SERVICE') {
      process.stderr.write(`lab ${verb}: ${error.message}\n`)
      return 2
    }
    // the supervisor is loaded only by the verbs that start a stack (it costs the others ~0.5 s)
    const { StackConfigError } = await import('@production-lab/supervisor')
    const known = error instanceof ControlError || error instanceof StackConfigError
    process.stderr.write(
      `lab ${verb}: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
    )
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
