/** The error reference, rendered from the lifecycle package's one error registry (ErrorCodes). */
import { ErrorCodes } from '@production-lab/lifecycle'
import { code, markdownTable } from './markdown-table.js'

export function errorTable(): string {
  const rows = Object.entries(ErrorCodes)
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(([name, { status, message, when }]) => [
      code(name),
      String(status),
      status === 503 ? 'yes' : '',
      when,
      message,
    ])
  return markdownTable(['Code', 'Status', 'Retry-After', 'When', 'Default message'], rows)
}
