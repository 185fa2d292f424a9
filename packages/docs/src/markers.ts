/**
 * Generated blocks inside hand-written Markdown: the text between
 * `<!-- generated:NAME start ... -->` and `<!-- generated:NAME end -->` belongs to the generator,
 * everything else to the writer. One place knows the marker syntax, for the generator and the
 * drift test alike.
 */

export const REGENERATE_COMMAND = 'pnpm docs:generate'

const startMarker = (name: string) =>
  `<!-- generated:${name} start: written by \`${REGENERATE_COMMAND}\` from the code; do not edit by hand -->`
const endMarker = (name: string) => `<!-- generated:${name} end -->`

function bounds(markdown: string, name: string, file: string): { from: number; to: number } {
  const start = markdown.indexOf(`<!-- generated:${name} start`)
  const end = markdown.indexOf(endMarker(name))
  if (start < 0 || end < start)
    throw new Error(`${file} has no block <!-- generated:${name} start ... --> ... ${endMarker(name)}`)
  return { from: start, to: end + endMarker(name).length }
}

/** The generated block `name` of a Markdown file, markers included. */
export function readBlock(markdown: string, name: string, file: string): string {
  const { from, to } = bounds(markdown, name, file)
  return markdown.slice(from, to)
}

/** The block as the generator writes it: markers around the content. */
export function renderBlock(name: string, content: string): string {
  return `${startMarker(name)}\n\n${content.trimEnd()}\n\n${endMarker(name)}`
}

/** The Markdown with block `name` replaced by `content`. */
export function replaceBlock(markdown: string, name: string, content: string, file: string): string {
  const { from, to } = bounds(markdown, name, file)
  return markdown.slice(0, from) + renderBlock(name, content) + markdown.slice(to)
}
