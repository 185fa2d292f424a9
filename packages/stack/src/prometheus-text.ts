/**
 * Reads the Prometheus text exposition format the stack's services, exporters and mtail
 * write (GET /metrics): metric names and samples. The one parser the scenarios, the
 * observability tests and the watcher's tests share.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) continue
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(LABEL)].map((label) => [label[1], label[2]]),
    )
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

/**
 * Every metric family the text declares (`# TYPE name ...`), so a labelled counter that
 * has not counted anything yet (no sample line) still counts as exposed.
 */
export function declaredMetricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] as string))
}

function matching(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
export function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return matching(samples, name, labels).reduce((total, sample) => total + sample.value, 0)
}

/** The sum of `name`'s samples in `text` whose labels include `labels`; undefined when there is none. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = matching(parseSamples(text), name, labels)
  return found.length === 0 ? undefined : found.reduce((total, sample) => total + sample.value, 0)
}
