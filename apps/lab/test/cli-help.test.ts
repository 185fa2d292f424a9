/**
 * Every `lab` verb explains itself: `lab <verb> --help` exits 0 and lists each option the
 * verb's parser accepts (with its meaning), and an unknown option exits 2 naming the valid
 * ones. Runs the built CLI (dist/cli.js) as a user would; needs no stack.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { VERBS } from '../src/verbs.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** The verbs `lab --help` lists: the two-space-indented first words. */
async function listedVerbs(): Promise<string[]> {
  const { code, stdout } = await lab('--help')
  assert.equal(code, 0)
  return [...stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string)
}

describe('lab --help', () => {
  it('lists every verb the CLI knows', async () => {
    assert.deepEqual((await listedVerbs()).sort(), Object.keys(VERBS).sort())
  })

  it('answers <verb> --help with exit 0, the usage and every option with its meaning', async () => {
    const verbs = await listedVerbs()
    assert.ok(verbs.length >= 10, `expected the verbs in lab --help, saw ${verbs.join(' ')}`)
    await Promise.all(
      verbs.map(async (verb) => {
        const { code, stdout, stderr } = await lab(verb, '--help')
        assert.equal(code, 0, `lab ${verb} --help exited ${code}: ${stderr}`)
        assert.match(stdout, new RegExp(`^usage: lab ${verb}`), `lab ${verb} --help:\n${stdout}`)
        for (const [name, option] of Object.entries(VERBS[verb]?.options ?? {})) {
          const line = stdout.split('\n').find((l) => l.includes(`--${name}`))
          assert.ok(line, `lab ${verb} --help does not list --${name}:\n${stdout}`)
          assert.ok(
            stdout.includes(option.help),
            `lab ${verb} --help does not say what --${name} does:\n${stdout}`,
          )
          if (option.default !== undefined)
            assert.ok(
              stdout.includes(`default: ${option.default}`),
              `lab ${verb} --help does not show --${name}'s default ${option.default}:\n${stdout}`,
            )
        }
      }),
    )
  })

  it('answers -h as --help', async () => {
    assert.equal((await lab('stop', '-h')).stdout, (await lab('stop', '--help')).stdout)
  })

  it('rejects an unknown option with exit 2, naming the verb and its valid options', async () => {
    const verbs = await listedVerbs()
    await Promise.all(
      verbs.map(async (verb) => {
        const { code, stderr } = await lab(verb, '--bogus-option')
        assert.equal(code, 2, `lab ${verb} --bogus-option exited ${code}: ${stderr}`)
        assert.match(stderr, /--bogus-option/)
        for (const name of [...Object.keys(VERBS[verb]?.options ?? {}), 'help'])
          assert.ok(stderr.includes(`--${name}`), `lab ${verb}'s error does not name --${name}:\n${stderr}`)
      }),
    )
  })
})
