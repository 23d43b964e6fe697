import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { BudgetCurve } from './budget-curve'

interface BudgetChartProps {
  curve: BudgetCurve
  /** Visible time span, epoch ms. */
  from: number
  to: number
  /** Whether to draw the upstream's own Remaining on a second axis. */
  showUpstream: boolean
  height?: number
}

const COLORS = {
  remaining: '#1d4ed8',
  remainingFill: 'rgba(29, 78, 216, 0.08)',
  limit: '#6b7280',
  refused: '#c8102e',
  upstream: '#7c3aed',
  grid: '#eceef1',
  axis: '#5b6270',
}

/** Remaining over time on a canvas, with the limit line, 429 markers and the upstream's view. */
export function BudgetChart({ curve, from, to, showUpstream, height = 160 }: BudgetChartProps) {
  const hostRef = useRef<HTMLDivElement>(null)
  const plotRef = useRef<uPlot | undefined>(undefined)
  const rangeRef = useRef({ from, to })
  rangeRef.current = { from, to }

  // The chart is built once per series layout; later renders only hand it new data.
  useEffect(() => {
    const host = hostRef.current!
    const plot = new uPlot(chartOptions(host.clientWidth, height, showUpstream, rangeRef), [], host)
    plotRef.current = plot
    const resize = new ResizeObserver(() => {
      if (host.clientWidth > 0) plot.setSize({ width: host.clientWidth, height })
    })
    resize.observe(host)
    return () => {
      resize.disconnect()
      plot.destroy()
      plotRef.current = undefined
    }
  }, [height, showUpstream])

  useEffect(() => {
    const series = [curve.t, curve.remaining, curve.limit, curve.refused]
    if (showUpstream) series.push(curve.upstream)
    plotRef.current?.setData(series as uPlot.AlignedData)
  }, [curve, from, to, showUpstream])

  return (
    <div
      className="budget-chart"
      ref={hostRef}
      role="img"
      aria-label="Remaining requests over time"
    />
  )
}

/** Axis labels as wall-clock time; the chart spans minutes, so the date would only be noise. */
function formatTick(seconds: number): string {
  const date = new Date(seconds * 1000)
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

function chartOptions(
  width: number,
  height: number,
  showUpstream: boolean,
  rangeRef: { current: { from: number; to: number } },
): uPlot.Options {
  const stepped = uPlot.paths.stepped!({ align: 1 })
  const axis = {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { show: false },
  }
  const series: uPlot.Series[] = [
    {},
    {
      label: 'Remaining',
      stroke: COLORS.remaining,
      fill: COLORS.remainingFill,
      width: 2,
      paths: stepped,
      points: { show: false },
    },
    { label: 'Limit', stroke: COLORS.limit, width: 1, dash: [4, 4], points: { show: false } },
    {
      label: '429',
      stroke: COLORS.refused,
      paths: () => null,
      points: { show: true, size: 8, width: 2, stroke: COLORS.refused, fill: '#fff' },
    },
  ]
  if (showUpstream) {
    series.push({
      label: 'Upstream remaining',
      scale: 'upstream',
      stroke: COLORS.upstream,
      width: 1.5,
      spanGaps: true,
      paths: stepped,
      points: { show: false },
    })
  }

  return {
    width: Math.max(width, 200),
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: true, range: () => [rangeRef.current.from / 1000, rangeRef.current.to / 1000] },
      y: { range: (_plot, _min, max) => [0, Math.max(1, max) * 1.12] },
      upstream: { range: (_plot, _min, max) => [0, Math.max(1, max) * 1.12] },
    },
    axes: [
      { ...axis, space: 70, size: 30, values: (_plot, splits) => splits.map(formatTick) },
      { ...axis, size: 40 },
      ...(showUpstream
        ? [{ ...axis, scale: 'upstream', side: 1, stroke: COLORS.upstream, grid: { show: false } }]
        : []),
    ],
    series,
  }
}
