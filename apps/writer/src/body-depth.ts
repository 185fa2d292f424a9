/**
 * How deep a parsed JSON body nests, measured without recursion. A 64 KiB body can nest
 * 30 000 levels; JSON.parse takes it, but JSON.stringify (the write's fingerprint and stored
 * copy) recurses and overflows the stack. Bodies deeper than the bound are refused with 400
 * before anything recursive touches them.
 */
import { ServiceError } from '@production-lab/lifecycle'

/** True when `value` has more than `maxDepth` levels of objects and arrays (the top level is 1). */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number]
    if (current === null || typeof current !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}

/** Throws 400 VALIDATION_FAILED when the body nests deeper than `maxDepth`. */
export function assertBodyDepth(body: unknown, maxDepth: number): void {
  if (nestedDeeperThan(body, maxDepth)) {
    throw new ServiceError(
      'VALIDATION_FAILED',
      `The body nests deeper than ${maxDepth} levels of objects and arrays (WRITE_BODY_MAX_DEPTH)`,
    )
  }
}
