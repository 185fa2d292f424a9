/**
 * The write store's log lines at startup and at the end of shutdown: what the database holds,
 * and whether the previous process stopped without closing it (its WAL was replayed), so an
 * operator sees after a SIGKILL or a crash that the acknowledged writes are still there.
 */
import type { Logger } from '@production-lab/lifecycle'
import type { OpenReport, WriteStore } from './write-store.js'

export function logStoreOpened(logger: Logger, report: OpenReport): void {
  const fields = {
    database: report.location,
    writes: report.writes,
    idempotencyKeys: report.keys,
    synchronous: report.synchronous,
    recoveredWalBytes: report.recoveredWalBytes,
  }
  const stored = `${report.writes} writes and ${report.keys} Idempotency-Keys stored`
  if (report.recoveredWalBytes > 0) {
    logger.warn(
      fields,
      `Write store recovered after an unclean stop: replayed ${report.recoveredWalBytes} bytes of WAL; found ${stored} (${report.location})`,
    )
  } else {
    logger.info(
      fields,
      `Write store opened: ${stored} (${report.location}, synchronous ${report.synchronous})`,
    )
  }
}

export function logStoreClosed(logger: Logger, store: WriteStore): void {
  logger.info(
    { database: store.report.location, writes: store.writeCount, idempotencyKeys: store.keyCount },
    `Write store closed cleanly: ${store.writeCount} writes stored`,
  )
}
