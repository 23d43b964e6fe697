import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
  type ReactNode,
} from 'react'

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
/** Rows kept rendered beyond each edge of the view, so a quick scroll shows no blank strip. */
const OVERSCAN = 8

/**
 * A dense table that renders only the rows in view, with keyboard row navigation. Rows have one
 * fixed height, so which rows are in view is plain arithmetic on the scroll offset.
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowKey, selectedKey, onEndReached, minWidth = 980 } = props
  const scrollRef = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ top: 0, height: 0 })
  const template = columns.map((column) => column.width).join(' ')

  // Rows that arrive above the view would slide what the user is reading out of it. Scrolled
  // away from the top, the view keeps showing the same rows; at the top it shows the newest.
  const anchor = useRef<{ rows: T[]; key: number; index: number } | undefined>(undefined)
  let top = view.top
  const previous = anchor.current
  if (previous && previous.rows !== rows && top > 0) {
    const index = findIndex(rows, rowKey, previous.key, previous.index)
    if (index >= 0) top += (index - previous.index) * ROW_HEIGHT
  }

  const bodyTop = Math.max(0, top - HEAD_HEIGHT)
  const first = Math.max(0, Math.floor(bodyTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(rows.length - 1, Math.ceil((bodyTop + view.height) / ROW_HEIGHT) + OVERSCAN)
  // One row is in the tab order (the selected one, else the first); arrows reach the rest.
  const selectedShown = rows.some((row) => rowKey(row) === selectedKey)
  const focusKey = selectedShown ? selectedKey : rows[0] && rowKey(rows[0])

  useLayoutEffect(() => {
    const element = scrollRef.current!
    if (element.scrollTop !== top) element.scrollTop = top
    const index = Math.min(rows.length - 1, Math.floor(element.scrollTop / ROW_HEIGHT))
    anchor.current = index < 0 ? undefined : { rows, key: rowKey(rows[index]!), index }
    if (view.top !== element.scrollTop) setView({ ...view, top: element.scrollTop })
  })

  useLayoutEffect(() => {
    const element = scrollRef.current!
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight })
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    if (onEndReached && rows.length > 0 && last >= rows.length - 20) onEndReached()
  }, [last, rows.length, onEndReached])

  // Handlers read the latest rows through a ref, so rows that did not change skip rendering.
  const latest = useRef(props)
  useLayoutEffect(() => {
    latest.current = props
  })
  const select = useCallback((row: T) => latest.current.onSelect(row), [])

  // Arrow keys move the selection like a list box; the row scrolls into view and takes focus.
  const onKeyDown = useCallback((event: KeyboardEvent, index: number) => {
    const { rows, onSelect } = latest.current
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: rows.length - 1,
    }
    const target = moves[event.key]
    if (target !== undefined) {
      event.preventDefault()
      const row = rows[target]
      if (!row) return
      onSelect(row)
      scrollToIndex(scrollRef.current!, target)
      setView({ top: scrollRef.current!.scrollTop, height: scrollRef.current!.clientHeight })
      requestAnimationFrame(() => {
        scrollRef.current?.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus()
      })
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      onSelect(rows[index]!)
    }
  }, [])

  const shown: ReactElement[] = []
  for (let index = first; index <= last; index++) {
    const row = rows[index]!
    const key = rowKey(row)
    shown.push(
      <TableRow
        key={key}
        row={row}
        index={index}
        columns={columns}
        template={template}
        selected={key === selectedKey}
        focusable={key === focusKey}
        className={props.rowClassName?.(row) ?? ''}
        onSelect={select}
        onKeyDown={onKeyDown}
      />,
    )
  }

  return (
    <div
      className="vt"
      role="grid"
      aria-readonly
      aria-label={props.label}
      aria-rowcount={rows.length + 1}
      ref={scrollRef}
      onScroll={(event) => {
        const scrolled = event.currentTarget.scrollTop
        setView((current) => (current.top === scrolled ? current : { ...current, top: scrolled }))
      }}
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
        style={{ height: rows.length * ROW_HEIGHT, minWidth }}
      >
        {shown}
      </div>
    </div>
  )
}

interface TableRowProps<T> {
  row: T
  index: number
  columns: Column<T>[]
  template: string
  selected: boolean
  focusable: boolean
  className: string
  onSelect(row: T): void
  onKeyDown(event: KeyboardEvent, index: number): void
}

/** One row; a row that only moved re-renders its position, never its cells. */
const TableRow = memo(function TableRow<T>(props: TableRowProps<T>) {
  const { row, index, selected } = props
  return (
    <div
      role="row"
      tabIndex={props.focusable ? 0 : -1}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`vt-row ${selected ? 'selected' : ''} ${props.className}`}
      style={{
        gridTemplateColumns: props.template,
        height: ROW_HEIGHT,
        transform: `translateY(${index * ROW_HEIGHT}px)`,
      }}
      onClick={() => props.onSelect(row)}
      onKeyDown={(event) => props.onKeyDown(event, index)}
    >
      <RowCells row={row} columns={props.columns} />
    </div>
  )
}) as <T>(props: TableRowProps<T>) => ReactElement

const RowCells = memo(function RowCells<T>({ row, columns }: { row: T; columns: Column<T>[] }) {
  return columns.map((column) => (
    <div key={column.id} role="gridcell" className={column.numeric ? 'vt-cell numeric' : 'vt-cell'}>
      {column.render(row)}
    </div>
  ))
}) as <T>(props: { row: T; columns: Column<T>[] }) => ReactElement

/** Where the row with `key` is now, searched outward from where it was. */
function findIndex<T>(rows: T[], rowKey: (row: T) => number, key: number, near: number): number {
  for (let distance = 0; distance < rows.length; distance++) {
    const after = near + distance
    const before = near - distance
    if (after < rows.length && rowKey(rows[after]!) === key) return after
    if (before >= 0 && distance > 0 && rowKey(rows[before]!) === key) return before
    if (after >= rows.length && before < 0) break
  }
  return -1
}

/** Scrolls just enough to show row `index` below the sticky header. */
function scrollToIndex(element: HTMLElement, index: number) {
  const rowTop = HEAD_HEIGHT + index * ROW_HEIGHT
  if (rowTop < element.scrollTop + HEAD_HEIGHT) {
    element.scrollTop = rowTop - HEAD_HEIGHT
  } else if (rowTop + ROW_HEIGHT > element.scrollTop + element.clientHeight) {
    element.scrollTop = rowTop + ROW_HEIGHT - element.clientHeight
  }
}
