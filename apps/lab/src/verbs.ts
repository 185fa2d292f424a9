/**
 * Every `lab` verb: its command-line definition (for --help and the parser) and what runs it.
 * Adding a verb is one line here; `lab --help` lists them in this order.
 */
import { curveCommand } from './commands/curve.js'
import { curveVerb } from './commands/curve-options.js'
import { inspectCommand, inspectVerb } from './commands/inspect.js'
import { loadCommand } from './commands/load.js'
import { loadVerb } from './commands/load-options.js'
import { logsCommand, logsVerb } from './commands/logs.js'
import { psCommand, psVerb } from './commands/ps.js'
import {
  killCommand,
  killVerb,
  restartCommand,
  restartVerb,
  startCommand,
  startVerb,
  stopCommand,
  stopVerb,
} from './commands/service-verbs.js'
import { testCommand, testVerb } from './commands/test.js'
import { upCommand, upVerb } from './commands/up.js'
import type { VerbSpec } from './verb.js'

export interface Verb extends VerbSpec {
  run: (argv: string[]) => Promise<number>
}

function verb(spec: VerbSpec, run: Verb['run']): Verb {
  return { ...spec, run }
}

export const VERBS: Record<string, Verb> = Object.fromEntries(
  [
    verb(upVerb, upCommand),
    verb(psVerb, psCommand),
    verb(stopVerb, stopCommand),
    verb(startVerb, startCommand),
    verb(restartVerb, restartCommand),
    verb(killVerb, killCommand),
    verb(logsVerb, logsCommand),
    verb(inspectVerb, inspectCommand),
    verb(testVerb, testCommand),
    verb(loadVerb, loadCommand),
    verb(curveVerb, curveCommand),
  ].map((v) => [v.name, v]),
)
