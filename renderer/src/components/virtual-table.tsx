import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react'

export interface Column<T> {
  id: string
  title: string
  /** A CSS grid track, e.g. `90px` or `minmax(160px, 1fr)`. */
  width: string
  render(row: T): ReactNode
  /** Right-aligns numbers. */
  numeric?: boolean
}

interface VirtualTableProps<T> {
  label: string
  rows: T[]
  columns: Column<T>[]
  rowKey(row: T): number
  selectedKey?: number
  onSelect(row: T): void
  /** Called when the last rows come into view, to page in older ones. */
  onEndReached?(): void
  rowClassName?(row: T): string
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth?: number
}

const ROW_HEIGHT = 24
const HEAD_HEIGHT = 26

/** A dense table that renders only the rows in view, with keyboard row navigation. */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowKey, selectedKey, onSelect, onEndReached, minWidth = 980 } = props
  const scrollRef = useRef<HTMLDivElement>(null)
  const template = columns.map((column) => column.width).join(' ')

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
    scrollMargin: HEAD_HEIGHT,
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items[items.length - 1]?.index ?? -1
  // One row is in the tab order (the selected one, else the first); arrows reach the rest.
  const selectedShown = rows.some((row) => rowKey(row) === selectedKey)
  const focusKey = selectedShown ? selectedKey : rows[0] && rowKey(rows[0])

  useEffect(() => {
    if (onEndReached && rows.length > 0 && lastIndex >= rows.length - 20) onEndReached()
  }, [lastIndex, rows.length, onEndReached])

  // Arrow keys move the selection like a list box; the row scrolls into view and takes focus.
  const moveTo = (index: number) => {
    const row = rows[index]
    if (!row) return
    onSelect(row)
    virtualizer.scrollToIndex(index, { align: 'auto' })
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus()
    })
  }
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: rows.length - 1,
    }
    const target = moves[event.key]
    if (target !== undefined) {
      event.preventDefault()
      moveTo(target)
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      onSelect(rows[index]!)
    }
  }

  return (
    <div
      className="vt"
      role="grid"
      aria-readonly
      aria-label={props.label}
      aria-rowcount={rows.length + 1}
      ref={scrollRef}
    >
      <div className="vt-head" role="rowgroup" style={{ height: HEAD_HEIGHT, minWidth }}>
        <div className="vt-row" role="row" style={{ gridTemplateColumns: template }}>
          {columns.map((column) => (
            <div
              key={column.id}
              role="columnheader"
              className={column.numeric ? 'vt-cell numeric' : 'vt-cell'}
            >
              {column.title}
            </div>
          ))}
        </div>
      </div>

      <div
        role="rowgroup"
        className="vt-body"
        style={{ height: virtualizer.getTotalSize(), minWidth }}
      >
        {items.map((item) => {
          const row = rows[item.index]!
          const key = rowKey(row)
          const selected = key === selectedKey
          const extra = props.rowClassName?.(row) ?? ''
          return (
            <div
              key={key}
              role="row"
              tabIndex={key === focusKey ? 0 : -1}
              data-index={item.index}
              aria-rowindex={item.index + 2}
              aria-selected={selected}
              className={`vt-row ${selected ? 'selected' : ''} ${extra}`}
              style={{
                gridTemplateColumns: template,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start - HEAD_HEIGHT}px)`,
              }}
              onClick={() => onSelect(row)}
              onKeyDown={(event) => onKeyDown(event, item.index)}
            >
              {columns.map((column) => (
                <div
                  key={column.id}
                  role="gridcell"
                  className={column.numeric ? 'vt-cell numeric' : 'vt-cell'}
                >
                  {column.render(row)}
                </div>
              ))}
            </div>
          )
        })}
      </div>
    </div>
  )
}
