/**
 * A verb's command line, declared once. The parser (parseVerb) and the help (formatHelp) read
 * the same definition, so `lab <verb> --help` cannot list an option the parser refuses, miss
 * one it accepts, or show a default the code does not use: give `default` from the constant
 * the code falls back to. A new verb: defineVerb({...}) in its module, then one line in
 * verbs.ts; `lab <verb> --help` and the unknown-option message follow from it.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface OptionDef {
  type: 'string' | 'boolean'
  short?: string
  /** repeatable: the values come as an array */
  multiple?: boolean
  /** the value's name in the help: N, SECONDS, URL (string options) */
  arg?: string
  /** what the option does, one line */
  help: string
  /** the default as the help shows it, taken from the constant the code uses; omit for none */
  default?: string | number
}

export interface VerbSpec<O extends Record<string, OptionDef> = Record<string, OptionDef>> {
  name: string
  /** one line for `lab --help` */
  summary: string
  /** the positionals in the usage line: '<service...>', '[scenario...]' */
  args?: string
  options: O
  /** paragraphs printed after the options (a computed list, examples); a function is called on --help only */
  details?: string | (() => string)
}

/** Keeps the options' literal types, so parseVerb's values are typed per option. */
export function defineVerb<const O extends Record<string, OptionDef>>(spec: VerbSpec<O>): VerbSpec<O> {
  return spec
}

type ParserOptions<O extends Record<string, OptionDef>> = {
  [K in keyof O]: {
    type: O[K]['type']
    short?: string
    multiple: O[K]['multiple'] extends true ? true : false
  }
}

const HELP_OPTION: OptionDef = { type: 'boolean', short: 'h', help: 'show this help and exit' }

function parserOptions<O extends Record<string, OptionDef>>(options: O): ParserOptions<O> {
  return Object.fromEntries(
    Object.entries(options).map(([name, { type, short, multiple }]) => [
      name,
      { type, multiple: multiple === true, ...(short !== undefined && { short }) },
    ]),
  ) as ParserOptions<O>
}

/** True when the command line asks for help (before any `--`). */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

function optionLabel(name: string, option: OptionDef): string {
  const short = option.short ? `-${option.short}, ` : '    '
  return `${short}--${name}${option.type === 'string' ? ` ${option.arg ?? 'VALUE'}` : ''}`
}

export function usageLine(spec: VerbSpec): string {
  const options = Object.keys(spec.options).length > 0 ? ' [options]' : ''
  return `usage: lab ${spec.name}${options}${spec.args ? ` ${spec.args}` : ''}`
}

/** `--time/-t, --help/-h`: what an unknown-option error offers instead. */
export function validOptions(spec: VerbSpec): string {
  return Object.entries({ ...spec.options, help: HELP_OPTION })
    .map(([name, option]) => `--${name}${option.short ? `/-${option.short}` : ''}`)
    .join(', ')
}

export function formatHelp(spec: VerbSpec): string {
  const entries = Object.entries({ ...spec.options, help: HELP_OPTION })
  const labels = entries.map(([name, option]) => optionLabel(name, option))
  const width = Math.max(...labels.map((l) => l.length)) + 2
  const lines = entries.map(([, option], i) => {
    const extra = [
      option.multiple && 'repeatable',
      option.default !== undefined && `default: ${option.default}`,
    ]
      .filter(Boolean)
      .join('; ')
    return `  ${(labels[i] as string).padEnd(width)}${option.help}${extra ? ` (${extra})` : ''}`
  })
  const details = typeof spec.details === 'function' ? spec.details() : spec.details
  return `${usageLine(spec)}\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n${details ? `\n${details.trimEnd()}\n` : ''}`
}

/** Parses argv with the verb's options; a usage error names what is wrong and what is valid. */
export function parseVerb<O extends Record<string, OptionDef>>(spec: VerbSpec<O>, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: parserOptions(spec.options) as ParserOptions<O> & NonNullable<ParseArgsConfig['options']>,
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1]
    const message =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown
        ? `unknown option ${unknown}; lab ${spec.name} takes ${validOptions(spec)} (lab ${spec.name} --help)`
        : `${(error as Error).message} (lab ${spec.name} --help)`
    throw new UsageError(`${message}\n${usageLine(spec)}`)
  }
}
