/** Plain-text tables for the terminal (and Markdown-ready: pipes between columns). */

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`
  const rule = `|${widths.map((width, column) => (column === 0 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}

/** Milliseconds with two decimals. */
export const ms = (value: number) => value.toFixed(2)

/** A fraction as a percentage: 0.043 -> "4.3 %". */
export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`
