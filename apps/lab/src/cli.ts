#!/usr/bin/env node
/**
 * `lab <verb> ...`: the native stack (`up`) and the native equivalents of the guide's
 * docker commands. Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
 */
import { ControlError } from '@production-lab/control'
import { StackConfigError } from '@production-lab/supervisor'
import { curveCommand } from './commands/curve.js'
import { inspectCommand } from './commands/inspect.js'
import { loadCommand } from './commands/load.js'
import { logsCommand } from './commands/logs.js'
import { psCommand } from './commands/ps.js'
import { killCommand, restartCommand, startCommand, stopCommand } from './commands/service-verbs.js'
import { testCommand } from './commands/test.js'
import { upCommand } from './commands/up.js'
import { UsageError } from './commands/usage.js'

type Command = (argv: string[]) => Promise<number>

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  up: { run: upCommand, summary: 'start the native stack in the foreground [--watch] [--no-prometheus]' },
  ps: { run: psCommand, summary: 'list services with state and health [--json]        (docker ps)' },
  stop: { run: stopCommand, summary: 'stop services gracefully [--time S] <service...>     (docker stop)' },
  start: { run: startCommand, summary: 'start stopped services <service...>                 (docker start)' },
  restart: {
    run: restartCommand,
    summary: 'stop then start services [--time S] <service...>   (docker restart)',
  },
  kill: {
    run: killCommand,
    summary: 'send a signal [--signal SIGTERM|SIGKILL] <service...> (docker kill -s)',
  },
  logs: { run: logsCommand, summary: "a service's output [-f] [--tail N] <service>         (docker logs)" },
  inspect: {
    run: inspectCommand,
    summary: 'state, limits, command, env as JSON <service...>    (docker inspect)',
  },
  test: {
    run: testCommand,
    summary: "run the guide's tests against the stack [scenario...] (see lab test --help)",
  },
  load: { run: loadCommand, summary: 'generate load: closed or open model (see lab load --help)' },
  curve: {
    run: curveCommand,
    summary: 'latency/throughput vs offered load, HTML + JSON (see lab curve --help)',
  },
}

function help(): string {
  const verbs = Object.entries(COMMANDS).map(([verb, { summary }]) => `  ${verb.padEnd(8)} ${summary}`)
  return `usage: lab <command> [options]\n\n${verbs.join('\n')}\n\nServices: the guide's container names (app_slow, app_fast_1, app_fast_2, nginx_lb, ...) or aliases (writer, reader-1, ...).\nLAB_PORT_OFFSET shifts every port (a second stack beside the first).\n`
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    process.stdout.write(help())
    return verb === undefined ? 2 : 0
  }
  const command = COMMANDS[verb]
  if (!command) {
    process.stderr.write(`lab: unknown command ${JSON.stringify(verb)}\n\n${help()}`)
    return 2
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
    const known = error instanceof ControlError || error instanceof StackConfigError
    process.stderr.write(
      `lab ${verb}: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
    )
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
