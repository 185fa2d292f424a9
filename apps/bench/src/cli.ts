/** Command-line options of `pnpm bench`. */
import { parseArgs } from 'node:util'
import { type BenchPlan, defaults, FULL_PLAN, QUICK_PLAN } from './defaults.js'
import type { NginxTuning } from './nginx.js'

export const USAGE = `Usage: pnpm bench [--quick] [--only growth | --skip-growth] [--out FILE] [--nginx-keepalive N] [--nginx-workers N]

  --quick              smoke run, under a minute (fewer and shorter rounds)
  --only growth        run only the growth section (concurrency and response-size sweeps)
  --skip-growth        run everything but the growth section
  --out FILE           where the JSON report goes (default ${defaults.outDir}/latest.json)
  --nginx-keepalive N  measure nginx with upstream \`keepalive N\` instead of the committed value
  --nginx-workers N    measure nginx with \`worker_processes N\` instead of the committed value

Environment: BENCH_PORT_BASE (default ${defaults.portBase}) is the first of the 127.0.0.1 ports
the benchmark's servers use (15 from there); NGINX is the nginx binary (default: from PATH).`

export interface BenchOptions {
  help: boolean
  quick: boolean
  plan: BenchPlan
  /** which sections run: the standard ones (lifecycle costs ... curve) and the growth section */
  sections: { standard: boolean; growth: boolean }
  /** undefined: the default under the output dir */
  out: string | undefined
  nginx: NginxTuning
  portBase: number
}

function positiveInteger(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected an integer from 1 to ${max}`)
  }
  return value
}

function explainBadCommandLine<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} (pnpm bench --help lists the options)`,
    )
  }
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  // `./pnpm bench -- --quick` (the documented form) reaches the script with the `--` in front.
  const args = argv[0] === '--' ? argv.slice(1) : argv
  const { values } = explainBadCommandLine(() =>
    parseArgs({
      args,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        'skip-growth': { type: 'boolean', default: false },
        out: { type: 'string' },
        'nginx-keepalive': { type: 'string' },
        'nginx-workers': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }),
  )
  const portBase =
    positiveInteger('BENCH_PORT_BASE', env.BENCH_PORT_BASE || undefined, 65_500) ?? defaults.portBase
  const upstreamKeepalive = positiveInteger('--nginx-keepalive', values['nginx-keepalive'], 10_000)
  const workerProcesses = positiveInteger('--nginx-workers', values['nginx-workers'], 64)
  const sections = explainBadCommandLine(() => {
    if (values.only !== undefined && values.only !== 'growth')
      throw new Error(`--only ${JSON.stringify(values.only)} is invalid: the only section it takes is growth`)
    if (values.only !== undefined && values['skip-growth'])
      throw new Error('--only growth and --skip-growth exclude each other')
    return { standard: values.only === undefined, growth: !values['skip-growth'] }
  })
  return {
    help: values.help,
    quick: values.quick,
    plan: values.quick ? QUICK_PLAN : FULL_PLAN,
    sections,
    out: values.out,
    nginx: {
      ...(upstreamKeepalive !== undefined && { upstreamKeepalive }),
      ...(workerProcesses !== undefined && { workerProcesses }),
    },
    portBase,
  }
}
