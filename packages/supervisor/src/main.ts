#!/usr/bin/env node
/**
 * The supervisor as a process of its own: what spawnStack() runs. The same runStack() as
 * `lab up` (the CLI's verb adds --watch); `--no-prometheus` leaves the monitoring out.
 */
import { runStack } from './run-stack.js'
import { StackConfigError } from './services.js'

try {
  process.exitCode = await runStack({ watch: false, prometheus: !process.argv.includes('--no-prometheus') })
} catch (error) {
  const message =
    error instanceof StackConfigError ? error.message : ((error as Error).stack ?? String(error))
  process.stderr.write(`supervisor: ${message}\n`)
  process.exitCode = 1
}
