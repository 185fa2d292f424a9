/** Reads single values from a service's Prometheus text exposition (GET /metrics). */
import type { HttpClient } from './http.js'

/** `name{a="x",b="y"} 12.5` -> labels and value; comments and other metrics are skipped. */
function parseSample(
  line: string,
  name: string,
): { labels: Record<string, string>; value: number } | undefined {
  if (!line.startsWith(name)) return undefined
  const rest = line.slice(name.length)
  if (rest[0] !== '{' && rest[0] !== ' ') return undefined
  const labels: Record<string, string> = {}
  let valueText = rest
  if (rest[0] === '{') {
    const end = rest.lastIndexOf('}')
    for (const match of rest.slice(1, end).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[match[1] as string] = match[2] as string
    }
    valueText = rest.slice(end + 1)
  }
  const value = Number(valueText.trim().split(/\s+/)[0])
  return Number.isNaN(value) ? undefined : { labels, value }
}

/** The sum of `name`'s samples whose labels include `labels`; undefined when there is none. */
export function metricValue(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined
  for (const line of exposition.split('\n')) {
    const sample = parseSample(line, name)
    if (!sample) continue
    if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) sum = (sum ?? 0) + sample.value
  }
  return sum
}

/** Scrapes `baseUrl`/metrics once. */
export async function scrape(http: HttpClient, baseUrl: string): Promise<string> {
  const response = await http.call(`${baseUrl}/metrics`, { timeoutMs: 5000 })
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`)
  return response.text
}

/** Scrapes and reads one value; throws when the metric is missing. */
export async function readMetric(
  http: HttpClient,
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const value = metricValue(await scrape(http, baseUrl), name, labels)
  if (value === undefined) throw new Error(`${baseUrl}/metrics has no ${name} ${JSON.stringify(labels)}`)
  return value
}
