/**
 * The reader's own fixed numbers, each defined once with its unit (its configuration
 * variables and their defaults are in app.ts's readerConfigSchema).
 */
export const readerDefaults = {
  /**
   * bytes: the largest body `GET /read?bytes=N` pads its answer to (64 KiB). The benchmark's
   * response-size sweep ends here; above it the answer is 400 VALIDATION_FAILED.
   */
  maxReadBytes: 65_536,
} as const
