/**
 * Every scenario, in the order `lab test` runs them: the guide's five tests, the ones beyond
 * it, then the health-watcher's (issue 4). The catalogue in one place: id, aliases, title and
 * the guide's commands here, each scenario's act and assert in its own file.
 */
import { b1Breaker } from './b1-breaker.js'
import { b2Idempotency } from './b2-idempotency.js'
import { b3Overload } from './b3-overload.js'
import { b4Durable } from './b4-durable.js'
import { b5OverloadAlive } from './b5-overload-alive.js'
import { lbFollows } from './lb-follows.js'
import { t1Health } from './t1-health.js'
import { t2Shutdown } from './t2-shutdown.js'
import { t3Limits } from './t3-limits.js'
import { t4Split } from './t4-split.js'
import { t5Timeouts } from './t5-timeouts.js'
import type { Scenario } from './types.js'
import { watcherCrashLoop } from './watcher-crashloop.js'
import { watcherDrain } from './watcher-drain.js'
import { watcherHang } from './watcher-hang.js'
import { watcherKill } from './watcher-kill.js'

export const SCENARIOS: Scenario[] = [
  {
    id: 'T1',
    aliases: ['health'],
    title: 'Health checks and dependency management',
    guide: 'docker ps; docker stop app_fast_1; curl localhost:8080/read; docker start app_fast_1',
    run: t1Health,
  },
  {
    id: 'T2',
    aliases: ['shutdown', 'graceful'],
    title: 'Graceful shutdown',
    guide:
      'docker kill -s SIGTERM app_slow + docker logs -f app_slow; curl -i -X POST localhost:8080/write; docker start app_slow',
    run: t2Shutdown,
  },
  {
    id: 'T3',
    aliases: ['limits', 'saturation'],
    title: 'Resource limits and saturation',
    guide:
      'docker inspect app_slow; 10x curl -X POST /write and GET /read; seq 1 200 | xargs -P 50 curl -X POST /write + docker stats; ab -n 1000 -c 50 /read',
    run: t3Limits,
  },
  {
    id: 'T4',
    aliases: ['split', 'distribution'],
    title: 'Load-balancing distribution',
    guide:
      'for i in $(seq 1 20); do curl -s localhost:8080/read; done | grep -o FAST_REPLICA_. | sort | uniq -c',
    run: t4Split,
  },
  {
    id: 'T5',
    aliases: ['timeouts', 'timeout'],
    title: 'Timeouts and error handling',
    guide:
      'raise the delay in the app above 5 s; curl localhost:8080/read; docker stop app_fast_1 app_fast_2; curl localhost:8080/read',
    run: t5Timeouts,
  },
  {
    id: 'B1',
    aliases: ['breaker', 'circuit-breaker'],
    title: 'Circuit breaker on the writer (beyond the guide)',
    guide: 'improvement 6: CLOSED / OPEN / HALF_OPEN with a failure threshold and a reset timeout',
    run: b1Breaker,
  },
  {
    id: 'B2',
    aliases: ['idempotency', 'retries'],
    title: 'Retries with Idempotency-Key write once (beyond the guide)',
    guide: 'best practice: retry with exponential backoff',
    run: b2Idempotency,
  },
  {
    id: 'B3',
    aliases: ['overload', 'shedding'],
    title: 'Overload is shed, probes keep answering (beyond the guide)',
    guide: 'improvement 1: a server that handles saturation instead of queueing it',
    run: b3Overload,
  },
  {
    id: 'B4',
    aliases: ['durable', 'sigkill'],
    title: 'Durable writes survive a SIGKILL under load (beyond the guide)',
    guide: 'docker kill app_slow (SIGKILL) under load; docker start app_slow; retry every write',
    run: b4Durable,
  },
  {
    id: 'B5',
    aliases: ['overload-alive', 'overload-not-death'],
    title: 'Overload is not death: the watcher never restarts a writer that sheds (issue 15)',
    guide:
      '300 clients on POST /write in rounds, the writer at its 0.5-CPU limit; docker ps shows no restart',
    run: b5OverloadAlive,
  },
  {
    id: 'W1',
    aliases: ['watcher-kill', 'autoheal'],
    title: 'Health-watcher restarts a reader killed with SIGKILL',
    guide: 'docker kill -s SIGKILL app_fast_1; (improvement 2: an external checker restarts failed apps)',
    run: watcherKill,
  },
  {
    id: 'W2',
    aliases: ['watcher-drain'],
    title: 'Health-watcher never restarts a draining reader',
    guide:
      'docker kill -s SIGTERM app_fast_2 (the naive /health-curl-and-restart script would restart it mid-drain)',
    run: watcherDrain,
  },
  {
    id: 'W3',
    aliases: ['watcher-hang'],
    title: 'Health-watcher restarts a hung reader',
    guide:
      'a process that is up but answers nothing: Docker marks it unhealthy and leaves it; the watcher restarts it',
    run: watcherHang,
  },
  {
    id: 'W4',
    aliases: ['watcher-crashloop', 'crashloop'],
    title: 'Health-watcher gives up on a crash-looping reader',
    guide:
      'a container that exits at every start: restart budget with exponential backoff, then an alert, not a tight loop',
    run: watcherCrashLoop,
  },
  {
    id: 'L1',
    aliases: ['lb-follows', 'chaos'],
    title: 'No outage while a healthy replica is up: nginx follows the services (issue 15)',
    guide:
      'under steady reads: docker kill app_fast_1 (then, again, app_fast_1 hung instead of killed); the watcher restarts it; once it is ready, docker kill app_fast_2 (inside the passive fail_timeout window of the first failure)',
    run: lbFollows,
  },
]

export class UnknownScenarioError extends Error {}

/** The scenarios named (by id or alias, any case), in the canonical order; all when none is named. */
export function selectScenarios(names: string[], all: Scenario[] = SCENARIOS): Scenario[] {
  if (names.length === 0) return all
  const wanted = new Set<Scenario>()
  for (const name of names) {
    const lower = name.toLowerCase()
    const found = all.find((s) => s.id.toLowerCase() === lower || s.aliases.includes(lower))
    if (!found) {
      const known = all.map((s) => `${s.id} (${s.aliases.join(', ')})`).join(', ')
      throw new UnknownScenarioError(`unknown scenario ${JSON.stringify(name)}: expected one of ${known}`)
    }
    wanted.add(found)
  }
  return all.filter((s) => wanted.has(s))
}
