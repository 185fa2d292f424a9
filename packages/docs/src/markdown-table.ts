/** A Markdown table from rows of cells: pipes and newlines inside a cell escaped, nothing else. */

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** `text` as inline code (backticks that would end it are avoided with a double fence). */
export const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``)
