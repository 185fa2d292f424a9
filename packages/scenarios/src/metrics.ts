/** Reads single values from a service's Prometheus text exposition (GET /metrics). */
import { metricValue } from '@production-lab/stack'
import type { HttpClient } from './http.js'

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
