/**
 * Tables for the terminal, columns padded to their widest cell: plain (the lab's `ps`, the
 * stack's start-up table, the scenario summary) or Markdown-ready (the benchmark's report,
 * pasted into the README as is).
 */

type Rows = readonly (readonly string[])[]

function columnWidths(headers: readonly string[], rows: Rows): number[] {
  return headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
}

/** Two spaces between columns, the last one unpadded. */
export function formatTable(headers: readonly string[], rows: Rows): string {
  const widths = columnWidths(headers, rows)
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** Pipes between columns, the first left-aligned and the others right-aligned (numbers). */
export function formatMarkdownTable(headers: readonly string[], rows: Rows): string {
  const widths = columnWidths(headers, rows)
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`
  const rule = `|${widths.map((width, column) => (column === 0 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}
