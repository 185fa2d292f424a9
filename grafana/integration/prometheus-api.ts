/** The few calls of Prometheus' HTTP API the integration run needs. */

export interface RangeSeries {
  metric: Record<string, string>
  values: Array<[number, string]>
}

export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  async #get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = new URL(path, this.baseUrl)
    for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value)
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) })
    const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string }
    if (body.status !== 'success')
      throw new Error(`${body.errorType ?? response.status}: ${body.error ?? 'unknown error'}`)
    return body.data
  }

  /** A range query; throws with Prometheus' message when the PromQL is invalid. */
  async queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<RangeSeries[]> {
    const data = await this.#get<{ result: RangeSeries[] }>('/api/v1/query_range', {
      query: expr,
      start: String(startS),
      end: String(endS),
      step: String(stepS),
    })
    return data.result
  }

  async labelValues(label: string, match: string): Promise<string[]> {
    return this.#get<string[]>(`/api/v1/label/${label}/values`, { 'match[]': match })
  }

  /** Waits until every scrape target has been scraped at least once and reports up. */
  async targetsHealth(): Promise<
    Array<{ job: string; instance: string; health: string; lastError: string }>
  > {
    const data = await this.#get<{
      activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }>
    }>('/api/v1/targets', {})
    return data.activeTargets.map((target) => ({
      job: target.labels.job ?? '',
      instance: target.labels.instance ?? '',
      health: target.health,
      lastError: target.lastError,
    }))
  }

  /** Time series with a finite value, over the range: what a panel would draw. */
  static finiteSamples(series: RangeSeries[]): number {
    return series.reduce(
      (total, one) => total + one.values.filter(([, value]) => Number.isFinite(Number(value))).length,
      0,
    )
  }
}
