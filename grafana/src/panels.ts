/**
 * Small factories over the Foundation SDK's builders, so each dashboard reads as a list
 * of panels and queries. Every query goes to the lab's Prometheus datasource.
 */
import * as common from '@grafana/grafana-foundation-sdk/common'
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { PROMETHEUS } from './datasource.js'

export interface Query {
  expr: string
  /** Grafana legend template, e.g. "{{instance}} p99" */
  legend: string
}

export interface PanelOptions {
  title: string
  /** what the panel answers, shown as the panel's (i) tooltip */
  description: string
  queries: Query[]
  /** grid columns out of 24 */
  width?: number
  /** grid rows */
  height?: number
}

export interface TimeSeriesOptions extends PanelOptions {
  /** Grafana unit id: s, percentunit, reqps, bytes, short... */
  unit: string
  min?: number
  max?: number
  /** draws a dashed red line at this value (an SLO or a limit) */
  thresholdLine?: number
  /** series drawn as dashed lines (limits, targets), by legend regexp */
  dashedSeries?: string
}

/** One named state of a state-timeline panel: the value the query returns for it. */
export interface StateMapping {
  value: number
  text: string
  color: string
}

const DEFAULT_WIDTH = 12
const DEFAULT_HEIGHT = 8

function targets(queries: Query[]): DataqueryBuilder[] {
  return queries.map((query, index) =>
    new DataqueryBuilder()
      .datasource(PROMETHEUS)
      .refId(String.fromCharCode(65 + index))
      .expr(query.expr)
      .legendFormat(query.legend),
  )
}

function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps)
}

/** The builder methods every panel kind has for what `queried` sets. */
interface QueriedPanel<P> {
  title(title: string): P
  description(description: string): P
  datasource(ref: typeof PROMETHEUS): P
  targets(queries: DataqueryBuilder[]): P
}

/** What every panel states first: its title, its (i) text and its queries to the lab's Prometheus. */
function queried<P extends QueriedPanel<P>>(panel: P, options: PanelOptions): P {
  return panel
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .targets(targets(options.queries))
}

export function timeSeriesPanel(options: TimeSeriesOptions): timeseries.PanelBuilder {
  const panel = queried(new timeseries.PanelBuilder(), options)
    .unit(options.unit)
    .span(options.width ?? DEFAULT_WIDTH)
    .height(options.height ?? DEFAULT_HEIGHT)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
  if (options.min !== undefined) panel.min(options.min)
  if (options.max !== undefined) panel.max(options.max)
  if (options.thresholdLine !== undefined) {
    panel
      .thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: options.thresholdLine, color: 'red' },
        ]),
      )
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      )
  }
  if (options.dashedSeries !== undefined) {
    panel.overrideByRegexp(options.dashedSeries, [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
    ])
  }
  return panel
}

/** One row per series, coloured by state over time (lifecycle, breaker, watcher states). */
export function stateTimelinePanel(
  options: PanelOptions & { states: StateMapping[] },
): statetimeline.PanelBuilder {
  const mapping: dashboard.ValueMap = {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(
      options.states.map((state, index) => [
        String(state.value),
        { text: state.text, color: state.color, index },
      ]),
    ),
  }
  return queried(new statetimeline.PanelBuilder(), options)
    .span(options.width ?? DEFAULT_WIDTH)
    .height(options.height ?? DEFAULT_HEIGHT)
    .mappings([mapping])
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(thresholds([{ value: null, color: 'text' }]))
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
}

/** A big number: the value over the dashboard's time range. */
export function statPanel(
  options: PanelOptions & { unit: string; decimals?: number; steps?: dashboard.Threshold[] },
): stat.PanelBuilder {
  const panel = queried(new stat.PanelBuilder(), options)
    .unit(options.unit)
    .span(options.width ?? DEFAULT_WIDTH)
    .height(options.height ?? 4)
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
  if (options.decimals !== undefined) panel.decimals(options.decimals)
  if (options.steps) panel.thresholds(thresholds(options.steps))
  return panel
}
