/** The health-watcher's scenarios (issue 4), in the order `lab test` runs them. */
import type { Scenario } from './types.js'
import { watcherCrashLoop } from './watcher-crashloop.js'
import { watcherDrain } from './watcher-drain.js'
import { watcherHang } from './watcher-hang.js'
import { watcherKill } from './watcher-kill.js'

export { watcherCrashLoop, watcherDrain, watcherHang, watcherKill }

export const watcherScenarios: Scenario[] = [watcherKill, watcherDrain, watcherHang, watcherCrashLoop]
