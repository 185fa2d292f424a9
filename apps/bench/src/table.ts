/** The benchmark report's number formats (its tables: @production-lab/load's formatMarkdownTable). */

/** Milliseconds with two decimals. */
export const ms = (value: number) => value.toFixed(2)

/** A fraction as a percentage: 0.043 -> "4.3 %". */
export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`
